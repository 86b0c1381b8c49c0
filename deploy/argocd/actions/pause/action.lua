-- Pause: okta.outsystems.dev/paused "true" (the only value that pauses). No Okta or Secret writes
-- until resumed; passes still read Okta and report status.drift; Argo CD shows Suspended.
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
obj.metadata.annotations["okta.outsystems.dev/paused"] = "true"
return obj

-- Resume: removes okta.outsystems.dev/paused, as the README tells a person to (Argo CD sends the
-- removal as null in its merge patch). The operator posts Resumed and runs a normal pass at once.
if obj.metadata.annotations ~= nil then
  obj.metadata.annotations["okta.outsystems.dev/paused"] = nil
end
return obj

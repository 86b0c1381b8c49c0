-- Confirm a client secret rotation: okta.outsystems.dev/confirm-client-secret-rotation set to the
-- pending rotation's value (status.clientSecretRotation.requested), the only value the operator takes.
-- It then deactivates and deletes the old secret in Okta. Run it only after LifeTime uses the new one.
-- Without a rotation awaiting confirmation it fails, so the object is never changed by mistake
-- (discovery offers it disabled then).
local rotation = nil
if obj.status ~= nil then
  rotation = obj.status.clientSecretRotation
end
if rotation == nil or rotation.phase ~= "AwaitingConfirmation" or rotation.requested == nil then
  error("no client secret rotation awaits confirmation (status.clientSecretRotation.phase)", 0)
end
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
obj.metadata.annotations["okta.outsystems.dev/confirm-client-secret-rotation"] = rotation.requested
return obj

-- Rotate the Consoles client secret: okta.outsystems.dev/rotate-client-secret set to the current time
-- (UTC, RFC 3339), a value never handled before, so it starts a rotation. The operator records it as
-- status.clientSecretRotation.requested; confirm-client-secret-rotation echoes it once LifeTime uses
-- the new secret.
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
obj.metadata.annotations["okta.outsystems.dev/rotate-client-secret"] = os.date("!%Y-%m-%dT%H:%M:%SZ")
return obj

-- Argo CD health check for okta.outsystems.dev/v1alpha1 OutSystemsOktaIntegration.
--
-- Reads status.observedGeneration and the Ready condition the operator writes:
--   condition Paused=True (annotation paused)         -> Suspended (Ready keeps its last value)
--   Ready=True, status current                        -> Healthy
--     (managementPolicy Observe: Healthy also when Synced=False; the message gives the drift)
--   no status yet, or status for an older generation  -> Progressing
--   Ready=False, terminal reason (the user must act)  -> Degraded
--   Ready=False, OktaUnreachable, failedAttempts >= 5 -> Degraded (a wrong orgUrl or network, not a blip)
--   Ready=False/Unknown, any other reason (transient) -> Progressing
-- and, when Ready=True and current, status.clientSecretRotation.phase (issue 8):
--   AwaitingConfirmation -> Healthy (both secrets work; a person switches LifeTime, then confirms:
--                           Progressing would hold sync waves for days on a person)
--   Creating             -> Progressing (the next pass makes the new secret, within seconds)
--   Blocked, Failed      -> Degraded (the rotation cannot go on until a person acts)
-- The terminal reasons mirror TERMINAL in outsystems_okta/plan/conditions.py (a test keeps them equal).
-- Only the base and table libraries are used: Argo CD runs argocd-cm health checks without the
-- string and math libraries unless useOpenLibs is set.

local TERMINAL = {
  InvalidSpec = true,
  InsecureOrgUrl = true,
  CredentialsNotFound = true,
  OktaAuthFailed = true,
  OktaForbidden = true,
  OktaGroupNotFound = true,
  OktaAuthorizationServerNotFound = true,
  OktaRejected = true,
  SecretConflict = true,
  AdoptionRefused = true,
  OktaAppDeleted = true,
  OktaFeatureNotEnabled = true,
  OktaSignInPolicyNotFound = true,
  -- managementPolicy Observe and an app not found: nothing to observe until one is adopted or made.
  ObservedAppNotFound = true,
  -- The authorization server would not let the assigned groups sign in (AuthorizationServerReady).
  AuthorizationServerInactive = true,
  NoPolicyForClients = true,
  GrantNotAllowed = true,
  ScopeNotAllowed = true,
  GroupNotAllowed = true,
}

-- An org that could not be reached this many passes in a row (DNS, refused, TLS; the delays 15, 30, 60
-- and 120 s lie between them, about 4 minutes) needs a person: Degraded instead of Progressing forever.
local UNREACHABLE_ATTEMPTS = 5

local hs = {}

local function text(value, default)
  if value == nil or value == "" then
    return default
  end
  return tostring(value)
end

local function finish(status, message)
  hs.status = status
  hs.message = message
  return hs
end

local metadata = obj.metadata or {}

-- Argo CD reports "Pending deletion" itself before calling this script; this only covers other callers.
if metadata.deletionTimestamp ~= nil then
  return finish("Progressing", "Pending deletion")
end

local status = obj.status
if status == nil or status.conditions == nil then
  return finish("Progressing", "Waiting for the operator to reconcile the resource")
end

local ready = nil
local paused = nil
local synced = nil
for _, condition in ipairs(status.conditions) do
  if condition.type == "Ready" then
    ready = condition
  elseif condition.type == "Paused" then
    paused = condition
  elseif condition.type == "Synced" then
    synced = condition
  end
end

-- Pausing stops writes, so a paused resource never catches up with its generation: check first.
if paused ~= nil and paused.status == "True" then
  return finish("Suspended", "Paused: " .. text(paused.message, "reconciliation is paused"))
end
if ready == nil then
  return finish("Progressing", "Waiting for the Ready condition")
end

local reason = text(ready.reason, "")
-- "Reason: message", as the README's troubleshooting table is keyed by reason.
local message = text(ready.message, "")
if reason ~= "" and message ~= "" then
  message = reason .. ": " .. message
elseif message == "" then
  message = reason
end


local generation = metadata.generation
if generation ~= nil then
  if status.observedGeneration ~= generation then
    return finish(
      "Progressing",
      "Waiting for the operator to reconcile generation " .. tostring(generation)
        .. " (last reconciled: " .. text(status.observedGeneration, "none") .. ")"
    )
  end
  if ready.observedGeneration ~= nil and ready.observedGeneration ~= generation then
    return finish(
      "Progressing",
      "Waiting for the Ready condition of generation " .. tostring(generation)
    )
  end
end

if ready.status == "True" then
  local rotation = status.clientSecretRotation or {}
  local phase = text(rotation.phase, "")
  local requested = text(rotation.requested, "")
  if phase == "AwaitingConfirmation" then
    return finish(
      "Healthy",
      "Client secret rotation '" .. requested .. "' awaits confirmation: switch LifeTime to the new secret, "
        .. "then set okta.outsystems.dev/confirm-client-secret-rotation=" .. requested
    )
  end
  if phase == "Creating" then
    return finish("Progressing", "Client secret rotation '" .. requested .. "': creating the new secret")
  end
  if phase == "Blocked" or phase == "Failed" then
    return finish("Degraded", "ClientSecretRotation" .. phase .. ": " .. text(rotation.message, phase))
  end
  -- Observe: differences are what the user asked to see, not a failure of the operator; Degraded would
  -- page people for a state the operator is told not to change. The message says what differs.
  if synced ~= nil and synced.status == "False" then
    return finish("Healthy", "Observe: " .. text(synced.message, "Okta differs from the spec"))
  end
  return finish("Healthy", text(ready.message, "Reconciled"))
end
if ready.status == "False" and TERMINAL[reason] then
  return finish("Degraded", message)
end
local attempts = tonumber(status.failedAttempts)
if ready.status == "False" and reason == "OktaUnreachable" and attempts ~= nil and attempts >= UNREACHABLE_ATTEMPTS then
  return finish("Degraded", message .. " (" .. tostring(attempts) .. " passes in a row)")
end
return finish("Progressing", text(message, "Reconciling"))

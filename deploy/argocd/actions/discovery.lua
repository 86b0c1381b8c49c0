-- Argo CD resource actions for okta.outsystems.dev/v1alpha1 OutSystemsOktaIntegration: which to offer.
--
-- Each action sets one day-2 annotation the operator reads (README, "Reconcile now", "Pause" and
-- "Rotating the Consoles client secret") and nothing else. An action that would do nothing for this
-- object is offered disabled, decided from the annotations (what a person asked for, seen at once)
-- and status.clientSecretRotation (what the operator has taken up):
--   reconcile-now                   always
--   pause                           unless paused
--   resume                          while paused: okta.outsystems.dev/paused is "true", or is set and
--                                   condition Paused is True (the operator also takes " True ", which
--                                   Lua cannot lower-case without the string library)
--   rotate-client-secret            unless a rotation is pending: phase Creating, AwaitingConfirmation
--                                   or Blocked (it starts by itself once Okta has room), or a rotate
--                                   value the operator has not taken up yet; not under managementPolicy
--                                   Observe (no Okta writes) nor while the resource is being deleted
--   confirm-client-secret-rotation  while phase is AwaitingConfirmation and the confirm annotation does
--                                   not already carry status.clientSecretRotation.requested (its name
--                                   shows that value, the one the action sets)
-- Only the base and table libraries are used, as Argo CD runs argocd-cm Lua without string and math.

local PAUSED = "okta.outsystems.dev/paused"
local ROTATE = "okta.outsystems.dev/rotate-client-secret"
local CONFIRM = "okta.outsystems.dev/confirm-client-secret-rotation"

local annotations = {}
if obj.metadata ~= nil and obj.metadata.annotations ~= nil then
  annotations = obj.metadata.annotations
end
local rotation = nil
if obj.status ~= nil then
  rotation = obj.status.clientSecretRotation
end
local deleting = obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil

local function condition(kind)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local paused = annotations[PAUSED] == "true"
if annotations[PAUSED] ~= nil and not paused then
  local c = condition("Paused")
  paused = c ~= nil and c.status == "True"
end
local observe = obj.spec ~= nil and obj.spec.managementPolicy == "Observe"

local pending = false
local awaiting = nil
if rotation ~= nil then
  if rotation.phase == "Creating" or rotation.phase == "Blocked" then
    pending = true
  elseif rotation.phase == "AwaitingConfirmation" then
    pending = true
    awaiting = rotation.requested
  end
end
-- Set (by this action or by hand) and not yet handled: the operator will start it on its next pass.
if annotations[ROTATE] ~= nil and (rotation == nil or rotation.handledAnnotation ~= annotations[ROTATE]) then
  pending = true
end

local actions = {}
actions["reconcile-now"] = {disabled = false, displayName = "Reconcile now"}
actions["pause"] = {disabled = paused, displayName = "Pause (no Okta or Secret writes)"}
actions["resume"] = {disabled = not paused, displayName = "Resume"}
actions["rotate-client-secret"] = {
  disabled = pending or observe or deleting,
  displayName = "Rotate the Consoles client secret",
}
if awaiting ~= nil and annotations[CONFIRM] ~= awaiting then
  actions["confirm-client-secret-rotation"] = {
    disabled = false,
    displayName = "Confirm client secret rotation '" .. awaiting .. "' (LifeTime uses the new secret)",
  }
else
  actions["confirm-client-secret-rotation"] = {
    disabled = true,
    displayName = "Confirm client secret rotation (none awaits confirmation)",
  }
end
return actions

-- Reconcile now: okta.outsystems.dev/reconcile-requested-at set to the current time (UTC, RFC 3339).
-- Any new value runs a pass at once; the operator copies it to status.lastHandledReconcileAt.
-- os.date is one of the two os functions Argo CD's Lua sandbox keeps (with os.time).
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
obj.metadata.annotations["okta.outsystems.dev/reconcile-requested-at"] = os.date("!%Y-%m-%dT%H:%M:%SZ")
return obj

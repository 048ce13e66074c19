using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Resources;

/// <summary>
/// The state of one object's entity and the pure decisions on it, in the manner of a Kubernetes
/// registry: create, replace, patch, delete, bind. Decisions never mutate the state; the entity
/// persists the returned event and then calls <see cref="Apply"/>.
///
/// <code>
///            Create                    Replace / Patch / Bind
///   (absent) ───────► (exists) ◄─────────────────────────┐
///      ▲                 │  └────────────────────────────┘
///      │     Delete      │ Delete with finalizers
///      │ (no finalizers) ▼
///      └────────── (deleting) ── last finalizer removed ──► (absent)
/// </code>
/// Anything else (create of an existing name, update of an absent object, a stale
/// resourceVersion) is refused with the Kubernetes error for it.
/// </summary>
public sealed partial record ResourceState(ResourceKind Kind, ResourceKey Key, JsonObject? Current, long ResourceVersion)
{
    public static ResourceState Empty(ResourceKind kind, ResourceKey key) => new(kind, key, null, 0);

    public bool Exists => Current is not null;

    /// <summary>The current object with its resourceVersion, as answered to clients.</summary>
    public JsonObject? Visible => Current?.WithResourceVersion(ResourceVersion);

    public ResourceState Apply(IResourceEvent e, long resourceVersion) => e switch
    {
        ResourceDeleted => this with { Current = null, ResourceVersion = resourceVersion },
        _ => this with { Current = e.Object, ResourceVersion = resourceVersion },
    };

    public Decision Get() => Current is null ? Decision.Refuse(ApiError.NotFound(Kind, Key.Name)) : Decision.NoChange(Visible!);

    public Decision Create(JsonObject incoming, DecisionContext context)
    {
        if (Current is not null) return Decision.Refuse(ApiError.AlreadyExists(Kind, Key.Name));
        return Guard(() =>
        {
            var obj = Kind.Normalize(CheckKind((JsonObject)incoming.DeepClone()));
            var meta = obj.Metadata();
            meta["name"] = Key.Name;
            if (Kind.Namespaced) meta["namespace"] = Key.Namespace; else meta.Remove("namespace");
            foreach (var field in new[] { "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink" })
                meta.Remove(field);
            meta["uid"] = context.NewUid;
            meta["creationTimestamp"] = ObjectMeta.FormatTime(context.Now);
            if (Kind.SpecFields.Any()) meta["generation"] = 1;
            Kind.ApplyDefaults(obj);
            Kind.PrepareForCreate(obj);
            var errors = Validate(obj);
            return errors.Count > 0 ? Decision.Refuse(ApiError.Invalid(Kind, Key.Name, Causes(errors))) : Decision.Persist(new ResourceCreated(obj));
        });
    }

    public Decision Replace(JsonObject incoming, Subresource subresource, DecisionContext context, string change = "replaced")
    {
        if (Current is null) return Decision.Refuse(ApiError.NotFound(Kind, Key.Name));
        return Guard(() =>
        {
            var requested = CheckKind((JsonObject)incoming.DeepClone());
            if (requested.ResourceVersion() is { Length: > 0 } rv && rv != ResourceVersion.ToString(CultureInfo.InvariantCulture))
            {
                return Decision.Refuse(ApiError.Conflict(Kind, Key.Name, "the object has been modified; please apply your changes to the latest version and try again"));
            }
            if (requested.Uid() is { Length: > 0 } uid && uid != Current.Uid())
            {
                return Decision.Refuse(ApiError.Conflict(Kind, Key.Name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {Current.Uid()}"));
            }
            if (requested.Metadata().GetString("name") is { Length: > 0 } name && name != Key.Name)
            {
                return Decision.Refuse(ApiError.BadRequest($"the name of the object ({name}) does not match the name on the URL ({Key.Name})"));
            }
            if (Kind.Namespaced && requested.Metadata().GetString("namespace") is { Length: > 0 } ns && ns != Key.Namespace)
            {
                return Decision.Refuse(ApiError.NamespaceMismatch());
            }
            var normalized = Kind.Normalize(requested);
            JsonObject updated;
            if (subresource == Subresource.Status)
            {
                updated = (JsonObject)Current.DeepClone();
                updated["status"] = normalized["status"]?.DeepClone();
                change = change == "replaced" ? "status" : change;
            }
            else
            {
                updated = normalized;
                if (Kind.HasStatusSubresource) updated["status"] = Current["status"]?.DeepClone();
            }
            // No status (or a JSON null) is no status, on either path: never store "status": null.
            if (updated["status"] is null) updated.Remove("status");
            CarryOverSystemFields(updated);
            if (subresource == Subresource.Main) Kind.ApplyDefaults(updated);
            var specChanged = Kind.SpecFields.Any(f => !JsonNode.DeepEquals(Current[f], updated[f]));
            if (specChanged) updated.Metadata()["generation"] = Current.Generation() + 1;

            var errors = Validate(updated).Concat(Kind.ValidateUpdate(Current, updated)).ToList();
            if (Current.IsDeleting() && updated.Finalizers().Except(Current.Finalizers(), StringComparer.Ordinal).Any())
                errors.Add(FieldError.Forbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted"));
            if (errors.Count > 0) return Decision.Refuse(ApiError.Invalid(Kind, Key.Name, Causes(errors)));
            if (JsonNode.DeepEquals(updated, Current)) return Decision.NoChange(Visible!);
            if (updated.IsDeleting() && updated.Finalizers().Count == 0 && !AwaitsNodeAgent(updated)) return Decision.Persist(new ResourceDeleted(updated));
            _ = context;
            return Decision.Persist(new ResourceUpdated(updated, change));
        });
    }

    /// <summary>Binds an unbound pod to a node (the <c>pods/binding</c> subresource).</summary>
    public Decision Bind(string nodeName, DecisionContext context)
    {
        if (Current is null) return Decision.Refuse(ApiError.NotFound(Kind, Key.Name));
        if (Current.IsDeleting()) return Decision.Refuse(ApiError.Conflict(Kind, Key.Name, "pod is being deleted, cannot be assigned to a host"));
        // The node's name becomes spec.nodeName, which Kubernetes validates as a DNS subdomain.
        if (Validation.NameValidation.IsDns1123Subdomain(nodeName, "target.name") is { Count: > 0 } invalid)
            return Decision.Refuse(ApiError.Invalid(Kind, Key.Name, Causes(invalid)));
        var bound = Current["spec"]?["nodeName"]?.GetValue<string>();
        if (!string.IsNullOrEmpty(bound))
            return Decision.Refuse(ApiError.Conflict(Kind, Key.Name, $"pod {Key.Name} is already assigned to node \"{bound}\""));
        var updated = (JsonObject)Current.DeepClone();
        if (updated["spec"] is not JsonObject spec) return Decision.Refuse(ApiError.BadRequest("pod has no spec"));
        spec["nodeName"] = nodeName;
        var status = updated["status"] as JsonObject ?? new JsonObject();
        updated["status"] = status;
        var conditions = status["conditions"] as JsonArray ?? new JsonArray();
        status["conditions"] = conditions;
        foreach (var existing in conditions.OfType<JsonObject>().Where(c => c.GetString("type") == "PodScheduled").ToList())
            conditions.Remove(existing);
        conditions.Add(new JsonObject
        {
            ["type"] = "PodScheduled",
            ["status"] = "True",
            ["lastProbeTime"] = null,
            ["lastTransitionTime"] = ObjectMeta.FormatTime(context.Now),
        });
        return Decision.Persist(new ResourceUpdated(updated, "bound"));
    }

    public Decision Delete(DeleteRequest request, DecisionContext context)
    {
        if (Current is null) return Decision.Refuse(ApiError.NotFound(Kind, Key.Name));
        if (request.PreconditionUid is { Length: > 0 } uid && uid != Current.Uid())
            return Decision.Refuse(ApiError.Conflict(Kind, Key.Name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {Current.Uid()}"));
        if (request.PreconditionResourceVersion is { Length: > 0 } rv && rv != ResourceVersion.ToString(CultureInfo.InvariantCulture))
            return Decision.Refuse(ApiError.Conflict(Kind, Key.Name,
                $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {ResourceVersion}"));
        // Graceful deletion of a pod bound to a node: only mark it; the node agent stops its containers
        // within the grace period, then deletes it with grace 0 (as a kubelet does).
        // The propagation policy becomes finalizers (orphan, foregroundDeletion) the garbage collector
        // acts on; a later delete may change the policy of an object already being deleted.
        var finalizers = DeletionPropagation.Finalizers(Kind, Current.Finalizers(), request.PropagationPolicy);
        var podGrace = request.GracePeriodSeconds ?? Current["spec"]?["terminationGracePeriodSeconds"].GetLong() ?? 30;
        if (Kind.Kind == "Pod" && !string.IsNullOrEmpty(Current["spec"]?["nodeName"]?.GetValue<string>()) && (podGrace > 0 || Current.IsDeleting()))
        {
            // A pod in graceful termination with finalizers left that its node agent deletes with
            // grace 0 goes as soon as the last finalizer does.
            if (Current.IsDeleting() && podGrace == 0 && finalizers.Count == 0) return Decision.Persist(new ResourceDeleted(Current));
            var grace = Current.IsDeleting() ? Math.Min(podGrace, Current.Metadata()["deletionGracePeriodSeconds"].GetLong() ?? podGrace) : podGrace;
            return MarkDeleting(finalizers, grace, context);
        }
        if (finalizers.Count == 0) return Decision.Persist(new ResourceDeleted(Current));
        return MarkDeleting(finalizers, Current.IsDeleting() ? Current.Metadata()["deletionGracePeriodSeconds"].GetLong() ?? 0 : request.GracePeriodSeconds ?? 0, context);
    }

    /// <summary>Sets deletionTimestamp (once), the grace period and the finalizers; nothing to persist when none of them changes.</summary>
    private Decision MarkDeleting(IReadOnlyList<string> finalizers, long grace, DecisionContext context)
    {
        var updated = (JsonObject)Current!.DeepClone();
        var meta = updated.Metadata();
        if (!Current.IsDeleting()) meta["deletionTimestamp"] = ObjectMeta.FormatTime(context.Now);
        meta["deletionGracePeriodSeconds"] = grace;
        if (finalizers.Count > 0) meta["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode)f).ToArray());
        else meta.Remove("finalizers");
        if (JsonNode.DeepEquals(updated, Current)) return Decision.NoChange(Visible!);
        return Decision.Persist(new ResourceUpdated(updated, "deletion-requested"));
    }

    /// <summary>
    /// A pod bound to a node in graceful termination: it stays, even without finalizers, until its
    /// node agent has stopped its containers and deletes it with grace 0 (as a kubelet does); an
    /// update meanwhile (its status, a finalizer removed) does not delete it.
    /// </summary>
    private bool AwaitsNodeAgent(JsonObject obj) =>
        Kind.Kind == "Pod" && !string.IsNullOrEmpty(obj["spec"]?["nodeName"]?.GetValue<string>())
        && (obj.Metadata()["deletionGracePeriodSeconds"].GetLong() ?? 0) > 0;

    private JsonObject CheckKind(JsonObject obj)
    {
        var kind = obj.GetString("kind");
        var apiVersion = obj.GetString("apiVersion");
        if (kind is not null && kind != Kind.Kind)
            throw new ApiErrorException(ApiError.BadRequest($"the kind of the object ({kind}) does not match the kind of the URL ({Kind.Kind})"));
        if (apiVersion is not null && apiVersion != Kind.ApiVersion)
            throw new ApiErrorException(ApiError.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({Kind.ApiVersion})"));
        // Metadata() would silently replace a non-object metadata (and with it name, labels, ...).
        if (obj["metadata"] is not null and not JsonObject)
            throw new ApiErrorException(ApiError.BadRequest($"{Kind.Kind} in version \"{Kind.Version}\" cannot be handled as a {Kind.Kind}: metadata must be an object"));
        obj["kind"] = Kind.Kind;
        obj["apiVersion"] = Kind.ApiVersion;
        return obj;
    }

    private void CarryOverSystemFields(JsonObject updated)
    {
        var from = Current!.Metadata();
        var to = updated.Metadata();
        foreach (var field in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation" })
        {
            if (from[field] is { } value) to[field] = value.DeepClone(); else to.Remove(field);
        }
        to["name"] = Key.Name;
        if (Kind.Namespaced) to["namespace"] = Key.Namespace;
        to.Remove("resourceVersion");
        to.Remove("managedFields");
        to.Remove("selfLink");
        // A deleting object may lose finalizers but gain none (as in Kubernetes): checked in Replace.
    }

    private List<FieldError> Validate(JsonObject obj)
    {
        var errors = new List<FieldError>(NameValidation.ValidateObjectMeta(obj.Metadata(), Kind.Namespaced));
        errors.AddRange(Kind.Validate(obj));
        return errors;
    }

    private static List<ApiErrorCause> Causes(IEnumerable<FieldError> errors) =>
        errors.Select(e => new ApiErrorCause(e.Reason, e.Body, e.Field)).ToList();

    private static Decision Guard(Func<Decision> decide)
    {
        try
        {
            return decide();
        }
        catch (ApiErrorException e)
        {
            return Decision.Refuse(e.Error);
        }
    }
}

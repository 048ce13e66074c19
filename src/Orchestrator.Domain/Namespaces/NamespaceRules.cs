using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Namespaces;

/// <summary>
/// The namespace lifecycle as Kubernetes' NamespaceLifecycle admission and namespace controller
/// keep it: nothing is created in a namespace that does not exist or is being terminated; the
/// built-in namespaces are never deleted; a namespace being deleted keeps its content finalizer
/// until everything in it is gone.
/// <code>
///   Active ──delete──► Terminating (deletionTimestamp, content finalizer) ──empty──► finalizer removed ──► gone
///      creates allowed        creates refused (403)                                       creates refused (404)
/// </code>
/// </summary>
public static class NamespaceRules
{
    /// <summary>Why an object may not be created in namespace <paramref name="ns"/> (<paramref name="namespaceObject"/> null: it does not exist), or null when it may.</summary>
    public static ApiError? RefuseCreateIn(string ns, JsonObject? namespaceObject)
    {
        if (namespaceObject is null) return ApiError.NotFound(NamespaceKind.Instance, ns);
        if (namespaceObject.IsDeleting()) return ApiError.Forbidden($"unable to create new content in namespace {ns} because it is being terminated");
        return null;
    }

    /// <summary>Why <paramref name="body"/> may not be created under the request's namespace (it names another one), or null when it may.</summary>
    public static ApiError? RefuseBodyNamespace(ResourceKind kind, string requestNamespace, JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(body);
        return kind.Namespaced && body.Namespace() is { Length: > 0 } bodyNs && bodyNs != requestNamespace
            ? ApiError.NamespaceMismatch()
            : null;
    }

    /// <summary>Why the object <paramref name="name"/> of <paramref name="kind"/> may not be deleted, or null when it may (only built-in namespaces are protected).</summary>
    public static ApiError? RefuseDelete(ResourceKind kind, string name)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return kind == NamespaceKind.Instance && NamespaceKind.Undeletable.Contains(name)
            ? ApiError.Forbidden($"namespaces \"{name}\" is forbidden: this namespace may not be deleted")
            : null;
    }

    /// <summary>True when the namespace is being deleted and still waits for its content to go (the namespace controller's work).</summary>
    public static bool IsTerminating(JsonObject ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return ns.IsDeleting() && ns.Finalizers().Contains(NamespaceKind.ContentFinalizer);
    }

    /// <summary>The patch that releases an emptied namespace: its finalizers without the content finalizer, on the version observed.</summary>
    public static JsonObject ReleasePatch(JsonObject ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var finalizers = new JsonArray(ns.Finalizers().Where(f => f != NamespaceKind.ContentFinalizer).Select(f => (JsonNode)f).ToArray());
        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["finalizers"] = finalizers, ["resourceVersion"] = ns.ResourceVersion() },
        };
    }
}

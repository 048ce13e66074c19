using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Host.Dashboard.Live;

/// <summary>The dashboard's address of one object's page: <c>/dashboard/objects/{plural}/{namespace or _}/{name}</c>.</summary>
public static class ObjectLinks
{
    public const string NoNamespace = "_";

    public static string To(ResourceKind kind, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(obj);
        return To(kind, obj.Namespace(), obj.Name());
    }

    public static string To(ResourceKind kind, string ns, string name)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return $"/dashboard/objects/{kind.Plural}/{(kind.Namespaced && ns.Length > 0 ? Uri.EscapeDataString(ns) : NoNamespace)}/{Uri.EscapeDataString(name)}";
    }
}

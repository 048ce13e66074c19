using System.Text.Json.Nodes;
using Akka.Actor;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Namespaces;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Selectors;

namespace Orchestrator.Cluster.Controllers;

/// <summary>
/// Empties a namespace that is being deleted: deletes every object in it, and once none is left
/// removes the namespace's content finalizer, which lets the store delete the namespace itself.
/// Level-triggered and idempotent: a sync that finds objects still going away (pods stopping
/// gracefully) simply runs again.
/// </summary>
public sealed class NamespaceController : ControllerActor
{
    private readonly Dictionary<string, JsonObject> _namespaces = new(StringComparer.Ordinal);

    public NamespaceController(IControllerStore store)
        : base(store, [ObjectFilter.All(NamespaceKind.Instance.Kind)])
    {
    }

    public static Props Props(IControllerStore store) => Akka.Actor.Props.Create(() => new NamespaceController(store));

    protected override IEnumerable<string> AllKeys() => _namespaces.Where(n => NamespaceRules.IsTerminating(n.Value)).Select(n => n.Key).ToList();

    protected override IEnumerable<string> OnObserved(string kind, WatchEvent e)
    {
        var name = e.Object.Name();
        UpdateCache(_namespaces, name, e);
        return e.Type != WatchEventType.Deleted && NamespaceRules.IsTerminating(e.Object) ? [name] : [];
    }

    protected override async Task Sync(string key)
    {
        JsonObject ns;
        try
        {
            ns = await Store.Get(NamespaceKind.Instance, "", key, Stopping);
        }
        catch (ApiErrorException e) when (e.Error.Code == 404)
        {
            return;
        }
        if (!NamespaceRules.IsTerminating(ns)) return;

        var remaining = 0;
        foreach (var kind in ResourceKinds.All.Where(k => k.Namespaced))
        {
            var list = await Store.List(new ObjectFilter(kind.Kind, key, LabelSelector.Everything, FieldSelector.Everything), Stopping);
            foreach (var obj in list.Items)
            {
                remaining++;
                if (obj.IsDeleting()) continue;
                try
                {
                    await Store.Delete(kind, key, obj.Name(), new DeleteRequest(), Stopping);
                }
                catch (ApiErrorException e) when (e.Error.Code == 404)
                {
                    remaining--;
                }
            }
        }
        if (remaining > 0)
        {
            RetryAfter(key, TimeSpan.FromSeconds(1));
            return;
        }
        await Store.Patch(NamespaceKind.Instance, "", key, PatchType.Merge, NamespaceRules.ReleasePatch(ns), ct: Stopping);
    }
}

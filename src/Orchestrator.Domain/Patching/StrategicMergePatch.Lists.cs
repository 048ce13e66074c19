using System.Text.Json.Nodes;

namespace Orchestrator.Domain.Patching;

public static partial class StrategicMergePatch
{
    /// <summary>
    /// Lists: atomic ones replaced, primitive ones merged as sets, keyed ones merged element by
    /// element, and the order of the result (Kubernetes' normalizeElementOrder, <c>$setElementOrder</c>).
    /// </summary>
    private sealed partial class Merger
    {
        private JsonArray MergeList(JsonArray original, JsonArray patch, string path, List<JsonNode?> serverOrder)
        {
            var strategy = strategies.GetValueOrDefault(path);
            if (strategy is null)
                return ReplaceList(patch, path);
            return strategy.MergeKey is { } mergeKey
                ? MergeKeyedList(original, patch, mergeKey, path, serverOrder)
                : MergePrimitiveList(original, patch, path, serverOrder);
        }

        /// <summary>An atomic list: the patch list, with directive-only elements dropped and elements normalised.</summary>
        private static JsonArray ReplaceList(JsonArray patch, string path)
        {
            var result = new JsonArray();
            foreach (var item in patch)
            {
                if (item is JsonObject map && map.ContainsKey(PatchDirective))
                {
                    var directive = DirectiveValue(map[PatchDirective], path);
                    if (directive is not ("replace" or "merge" or "delete"))
                        throw new PatchException($"{Where(path)}: unknown $patch directive \"{directive}\" in a list: expected \"replace\", \"delete\" or \"merge\"");
                    if (directive == "delete" || map.Count == 1)
                        continue;
                    result.Add(WithoutDirectives(Without(map, PatchDirective)));
                    continue;
                }
                result.Add(WithoutDirectives(item));
            }
            return result;
        }

        private static JsonArray MergePrimitiveList(JsonArray original, JsonArray patch, string path, List<JsonNode?> serverOrder)
        {
            var patchItems = new List<JsonNode?>();
            var replace = false;
            foreach (var item in patch)
            {
                if (item is JsonObject map && map.ContainsKey(PatchDirective))
                {
                    var directive = DirectiveValue(map[PatchDirective], path);
                    if (directive == "replace")
                        replace = true;
                    else if (directive != "merge")
                        throw new PatchException($"{Where(path)}: $patch \"{directive}\" is not allowed in a list of primitives: expected \"replace\" or \"merge\"");
                    continue;
                }
                if (item is JsonObject or JsonArray)
                    throw new PatchException($"{Where(path)}: expected a list of primitives, found {Describe(item)}");
                patchItems.Add(item);
            }
            if (replace)
                return ToArray(Distinct(patchItems));

            var existing = original.ToList();
            original.Clear(); // detach the elements so they move into the result without copying
            var merged = Distinct(existing.Concat(patchItems).ToList());
            var patchSet = NodeKeyComparer.Set(patchItems);
            var inPatch = merged.Where(m => patchSet.Contains(new NodeKey(m))).ToList();
            var serverOnly = merged.Where(m => !patchSet.Contains(new NodeKey(m))).ToList();
            return ToArray(NormalizeOrder(inPatch, serverOnly, patchItems, serverOrder, Identity(null)));
        }

        private JsonArray MergeKeyedList(JsonArray original, JsonArray patch, string mergeKey, string path, List<JsonNode?> serverOrder)
        {
            var items = original.ToList();
            original.Clear(); // detach the elements so they move into the result without copying
            var patchElements = new List<JsonObject>();
            var deleteKeys = new HashSet<NodeKey>(NodeKeyComparer.Instance);
            var replace = false;
            foreach (var item in patch)
            {
                if (item is not JsonObject element)
                    throw new PatchException($"{Where(path)}: the list is merged on \"{mergeKey}\", so its elements must be objects, found {Describe(item)}");
                if (!element.TryGetPropertyValue(PatchDirective, out var directiveNode))
                {
                    patchElements.Add(element);
                    continue;
                }
                switch (DirectiveValue(directiveNode, path))
                {
                    case "delete":
                        if (!element.TryGetPropertyValue(mergeKey, out var deleteKey))
                            throw new PatchException($"{Where(path)}: {Describe(element)} does not contain declared merge key: {mergeKey}");
                        deleteKeys.Add(new NodeKey(deleteKey));
                        break;
                    case "replace":
                        replace = true;
                        // An element carrying fields besides the directive is kept in the replacement list.
                        if (element.Count > 1)
                            patchElements.Add(Without(element, PatchDirective));
                        break;
                    case "merge":
                        patchElements.Add(Without(element, PatchDirective));
                        break;
                    case var other:
                        throw new PatchException($"{Where(path)}: unknown $patch directive \"{other}\" in a list: expected \"replace\", \"delete\" or \"merge\"");
                }
            }

            if (replace)
                return ToArray(patchElements.Select(e => (JsonNode?)MergeMap(new JsonObject(), e, path)));
            if (deleteKeys.Count > 0)
                items.RemoveAll(i => i is JsonObject o && o.TryGetPropertyValue(mergeKey, out var k) && deleteKeys.Contains(new NodeKey(k)));

            // Where each merge key's elements are (in order), so each patch element finds its own at once.
            var positions = new Dictionary<NodeKey, List<int>>(NodeKeyComparer.Instance);
            void Track(JsonNode? element, int position)
            {
                if (element is not JsonObject o || !o.TryGetPropertyValue(mergeKey, out var k)) return;
                if (!positions.TryGetValue(new NodeKey(k), out var at)) positions[new NodeKey(k)] = at = [];
                at.Add(position);
            }
            for (var i = 0; i < items.Count; i++)
                Track(items[i], i);
            var removed = new List<bool>(items.Select(_ => false));
            var mergedKeys = new HashSet<NodeKey>(NodeKeyComparer.Instance);
            foreach (var element in patchElements)
            {
                if (!element.TryGetPropertyValue(mergeKey, out var key))
                    throw new PatchException($"{Where(path)}: {Describe(element)} does not contain declared merge key: {mergeKey}");
                mergedKeys.Add(new NodeKey(key));
                if (positions.TryGetValue(new NodeKey(key), out var at) && at.Count > 0)
                {
                    var index = at[0];
                    var merged = MergeMap((JsonObject)items[index]!, element, path);
                    if (merged is null)
                    {
                        removed[index] = true;
                        at.RemoveAt(0);
                    }
                    else
                    {
                        items[index] = merged;
                    }
                }
                else
                {
                    var added = MergeMap(new JsonObject(), element, path);
                    if (added is not null)
                    {
                        items.Add(added);
                        removed.Add(false);
                        Track(added, items.Count - 1);
                    }
                }
            }
            items = items.Where((_, i) => !removed[i]).ToList();

            var identity = Identity(mergeKey);
            var inPatch = items.Where(i => mergedKeys.Contains(new NodeKey(identity(i)))).ToList();
            var serverOnly = items.Where(i => !mergedKeys.Contains(new NodeKey(identity(i)))).ToList();
            var patchOrder = patchElements.Select(e => (JsonNode?)e).ToList();
            return ToArray(NormalizeOrder(inPatch, serverOnly, patchOrder, serverOrder, identity));
        }

        /// <summary>Orders a merged list by a <c>$setElementOrder</c> list, server-only elements interleaved.</summary>
        private static JsonArray Reorder(JsonArray merged, JsonArray order, List<JsonNode?> serverOrder, ListStrategy strategy, string path)
        {
            var identity = Identity(strategy.MergeKey);
            if (strategy.MergeKey is { } key)
            {
                foreach (var entry in order)
                {
                    if (entry is not JsonObject o || !o.ContainsKey(key))
                        throw new PatchException(
                            $"{Where(path)}: $setElementOrder entries must be objects holding the merge key \"{key}\", found {Describe(entry)}");
                }
            }
            var orderKeys = NodeKeyComparer.Set(order.Select(identity));
            var items = merged.ToList();
            merged.Clear(); // detach the elements so they move into the result without copying
            var inOrder = items.Where(i => orderKeys.Contains(new NodeKey(identity(i)))).ToList();
            var serverOnly = items.Where(i => !orderKeys.Contains(new NodeKey(identity(i)))).ToList();
            return ToArray(NormalizeOrder(inOrder, serverOnly, order.ToList(), serverOrder, identity));
        }

        /// <summary>
        /// Kubernetes' normalizeElementOrder: patch items sorted by the patch order, server-only items by
        /// the server order, then merged: a server-only item goes before a patch item only when both are
        /// in the server list and it came first there.
        /// </summary>
        private static List<JsonNode?> NormalizeOrder(
            List<JsonNode?> patchItems, List<JsonNode?> serverOnly, List<JsonNode?> patchOrder, List<JsonNode?> serverOrder,
            Func<JsonNode?, JsonNode?> identity)
        {
            var inPatchOrder = NodeKeyComparer.FirstIndex(patchOrder, identity);
            var inServerOrder = NodeKeyComparer.FirstIndex(serverOrder, identity);
            int IndexIn(Dictionary<NodeKey, int> index, JsonNode? item) => index.TryGetValue(new NodeKey(identity(item)), out var at) ? at : -1;

            var right = StableSortByIndex(patchItems, item => IndexIn(inPatchOrder, item));
            var left = StableSortByIndex(serverOnly, item => IndexIn(inServerOrder, item));
            var result = new List<JsonNode?>(left.Count + right.Count);
            int i = 0, j = 0;
            while (i < left.Count || j < right.Count)
            {
                if (i >= left.Count)
                {
                    result.Add(right[j++]);
                }
                else if (j >= right.Count)
                {
                    result.Add(left[i++]);
                }
                else
                {
                    var li = IndexIn(inServerOrder, left[i]);
                    var ri = IndexIn(inServerOrder, right[j]);
                    if (li >= 0 && ri >= 0 && li < ri)
                        result.Add(left[i++]);
                    else
                        result.Add(right[j++]);
                }
            }
            return result;
        }

        /// <summary>Items found in the order list sorted by it, the others after them in their own order.</summary>
        private static List<JsonNode?> StableSortByIndex(List<JsonNode?> items, Func<JsonNode?, int> index) =>
            items.Select((item, position) => (item, position, index: index(item)))
                .OrderBy(x => x.index < 0 ? 1 : 0)
                .ThenBy(x => x.index < 0 ? x.position : x.index)
                .ThenBy(x => x.position)
                .Select(x => x.item)
                .ToList();

        private static Func<JsonNode?, JsonNode?> Identity(string? mergeKey) =>
            mergeKey is null ? item => item : item => item is JsonObject o ? o[mergeKey] : null;

        private static List<JsonNode?> Distinct(List<JsonNode?> items)
        {
            var seen = new HashSet<NodeKey>(NodeKeyComparer.Instance);
            return items.Where(item => seen.Add(new NodeKey(item))).ToList();
        }

        private static JsonArray ToArray(IEnumerable<JsonNode?> items)
        {
            var array = new JsonArray();
            foreach (var item in items)
                array.Add(item is null ? null : item.Parent is null ? item : item.DeepClone());
            return array;
        }
    }
}

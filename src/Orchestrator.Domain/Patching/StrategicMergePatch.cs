using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Domain.Patching;

/// <summary>
/// Kubernetes strategic merge patch (<c>application/strategic-merge-patch+json</c>), the subset
/// kubectl sends for apply, label, annotate, scale, rollout, edit and patch on the built-in kinds.
/// It is a JSON merge patch, except that:
/// <list type="bullet">
/// <item>lists with a merge key (<see cref="PatchStrategies"/>) merge element by element on that key,
/// and lists of primitives with the merge strategy (finalizers) merge as sets; other lists are replaced;</item>
/// <item><c>$patch: replace</c> on a map replaces it, <c>$patch: delete</c> removes it,
/// <c>$patch: merge</c> merges it (the default); as a list element, <c>{"$patch": "replace"}</c>
/// replaces the whole list with the other elements and <c>{key: v, "$patch": "delete"}</c>
/// removes the element with that key;</item>
/// <item><c>$retainKeys: [..]</c> clears every key of the map not named in it;</item>
/// <item><c>$setElementOrder/f: [..]</c> orders the merged list <c>f</c>;</item>
/// <item><c>$deleteFromPrimitiveList/f: [..]</c> removes those values from the primitive list <c>f</c>.</item>
/// </list>
/// Without <c>$setElementOrder</c>, elements keep Kubernetes' order: patched elements in patch
/// order, interleaved with the server-only ones by their position in the original (so a new
/// element goes first). Directives never appear in the result.
/// </summary>
public static class StrategicMergePatch
{
    private const string PatchDirective = "$patch";
    private const string RetainKeysDirective = "$retainKeys";
    private const string SetElementOrderPrefix = "$setElementOrder/";
    private const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/";

    /// <summary>
    /// Applies <paramref name="patch"/> to <paramref name="original"/> using the strategies of
    /// <paramref name="kind"/>. Neither input is modified.
    /// </summary>
    /// <exception cref="PatchException">A directive has a bad value, or a list element lacks its merge key.</exception>
    public static JsonObject Apply(JsonObject original, JsonObject patch, string kind)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(patch);
        ArgumentNullException.ThrowIfNull(kind);
        var merger = new Merger(PatchStrategies.For(kind));
        return merger.MergeMap(original.DeepClone().AsObject(), patch, "") ?? new JsonObject();
    }

    private sealed class Merger(IReadOnlyDictionary<string, ListStrategy> strategies)
    {
        /// <summary>Merges a patch map into <paramref name="original"/> (mutated); null means "delete this map".</summary>
        public JsonObject? MergeMap(JsonObject original, JsonObject patch, string path)
        {
            if (patch.TryGetPropertyValue(PatchDirective, out var directiveNode))
            {
                switch (DirectiveValue(directiveNode, path))
                {
                    case "replace":
                        return MergeMap(new JsonObject(), Without(patch, PatchDirective), path);
                    case "delete":
                        return null;
                    case "merge":
                        break;
                    case var other:
                        throw new PatchException(
                            $"{Where(path)}: unknown $patch directive \"{other}\" on a map: expected \"replace\", \"delete\" or \"merge\"");
                }
            }

            if (patch.TryGetPropertyValue(RetainKeysDirective, out var retainNode))
                ApplyRetainKeys(original, patch, retainNode, path);

            foreach (var field in FieldsOf(patch, path))
            {
                var fieldPath = path.Length == 0 ? field : $"{path}/{field}";
                var strategy = strategies.GetValueOrDefault(fieldPath);
                var serverOrder = original[field] is JsonArray before ? before.ToList() : [];

                if (patch.TryGetPropertyValue(DeleteFromPrimitiveListPrefix + field, out var deleteNode))
                {
                    if (deleteNode is not JsonArray toDelete)
                        throw new PatchException($"{Where(fieldPath)}: {DeleteFromPrimitiveListPrefix}{field} must be a list, not {Describe(deleteNode)}");
                    if (original[field] is JsonArray list)
                    {
                        foreach (var item in list.Where(item => toDelete.Any(d => JsonNode.DeepEquals(d, item))).ToList())
                            list.Remove(item);
                    }
                }

                if (patch.TryGetPropertyValue(field, out var patchValue))
                    MergeField(original, field, patchValue, fieldPath, serverOrder);

                if (patch.TryGetPropertyValue(SetElementOrderPrefix + field, out var orderNode))
                {
                    if (orderNode is not JsonArray order)
                        throw new PatchException($"{Where(fieldPath)}: {SetElementOrderPrefix}{field} must be a list, not {Describe(orderNode)}");
                    if (original[field] is JsonArray merged && strategy is not null)
                        original[field] = Reorder(merged, order, serverOrder, strategy, fieldPath);
                }
            }
            return original;
        }

        private void MergeField(JsonObject original, string field, JsonNode? patchValue, string fieldPath, List<JsonNode?> serverOrder)
        {
            if (patchValue is null)
            {
                original.Remove(field);
                return;
            }
            var current = original[field];
            JsonNode? merged;
            if (current is JsonObject currentMap && patchValue is JsonObject patchMap)
                merged = MergeMap(currentMap, patchMap, fieldPath);
            else if (current is JsonArray currentList && patchValue is JsonArray patchList)
                merged = MergeList(currentList, patchList, fieldPath, serverOrder);
            else
                merged = Fresh(patchValue, fieldPath);

            if (merged is null)
            {
                original.Remove(field);
            }
            else if (!ReferenceEquals(merged, current))
            {
                if (merged.Parent is not null)
                    merged = merged.DeepClone();
                original[field] = merged;
            }
        }

        /// <summary>A patch value with nothing to merge into: directives applied to empty, nulls dropped.</summary>
        private JsonNode? Fresh(JsonNode patchValue, string path) => patchValue switch
        {
            JsonObject map => MergeMap(new JsonObject(), map, path),
            JsonArray list => MergeList(new JsonArray(), list, path, []),
            _ => patchValue.DeepClone(),
        };

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
                    result.Add(StripDirectives(Without(map, PatchDirective)));
                    continue;
                }
                result.Add(StripDirectives(item));
            }
            return result;
        }

        /// <summary>A copy without directive keys at any depth; nulls are kept, as in a JSON merge patch's lists.</summary>
        private static JsonNode? StripDirectives(JsonNode? node) => node switch
        {
            JsonObject map => new JsonObject(map
                .Where(kv => !IsDirective(kv.Key))
                .Select(kv => KeyValuePair.Create(kv.Key, StripDirectives(kv.Value)))),
            JsonArray list => new JsonArray(list.Select(StripDirectives).ToArray()),
            _ => node?.DeepClone(),
        };

        private static bool IsDirective(string key) =>
            key is PatchDirective or RetainKeysDirective
            || key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)
            || key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal);

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
            var inPatch = merged.Where(m => patchItems.Any(p => JsonNode.DeepEquals(p, m))).ToList();
            var serverOnly = merged.Where(m => !patchItems.Any(p => JsonNode.DeepEquals(p, m))).ToList();
            return ToArray(NormalizeOrder(inPatch, serverOnly, patchItems, serverOrder, Identity(null)));
        }

        private JsonArray MergeKeyedList(JsonArray original, JsonArray patch, string mergeKey, string path, List<JsonNode?> serverOrder)
        {
            var items = original.ToList();
            original.Clear(); // detach the elements so they move into the result without copying
            var patchElements = new List<JsonObject>();
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
                        items.RemoveAll(i => i is JsonObject o && o.TryGetPropertyValue(mergeKey, out var k) && JsonNode.DeepEquals(k, deleteKey));
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

            var mergedKeys = new List<JsonNode?>();
            foreach (var element in patchElements)
            {
                if (!element.TryGetPropertyValue(mergeKey, out var key))
                    throw new PatchException($"{Where(path)}: {Describe(element)} does not contain declared merge key: {mergeKey}");
                mergedKeys.Add(key);
                var index = items.FindIndex(i => i is JsonObject o && o.TryGetPropertyValue(mergeKey, out var k) && JsonNode.DeepEquals(k, key));
                if (index >= 0)
                {
                    var target = (JsonObject)items[index]!;
                    var merged = MergeMap(target, element, path);
                    if (merged is null)
                        items.RemoveAt(index);
                    else
                        items[index] = merged;
                }
                else
                {
                    var added = MergeMap(new JsonObject(), element, path);
                    if (added is not null)
                        items.Add(added);
                }
            }

            var identity = Identity(mergeKey);
            var inPatch = items.Where(i => mergedKeys.Any(k => JsonNode.DeepEquals(k, identity(i)))).ToList();
            var serverOnly = items.Where(i => !mergedKeys.Any(k => JsonNode.DeepEquals(k, identity(i)))).ToList();
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
            var orderKeys = order.Select(identity).ToList();
            var items = merged.ToList();
            merged.Clear(); // detach the elements so they move into the result without copying
            var inOrder = items.Where(i => orderKeys.Any(k => JsonNode.DeepEquals(k, identity(i)))).ToList();
            var serverOnly = items.Where(i => !orderKeys.Any(k => JsonNode.DeepEquals(k, identity(i)))).ToList();
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
            int IndexIn(List<JsonNode?> list, JsonNode? item)
            {
                var id = identity(item);
                return list.FindIndex(x => JsonNode.DeepEquals(identity(x), id));
            }

            var right = StableSortByIndex(patchItems, item => IndexIn(patchOrder, item));
            var left = StableSortByIndex(serverOnly, item => IndexIn(serverOrder, item));
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
                    var li = IndexIn(serverOrder, left[i]);
                    var ri = IndexIn(serverOrder, right[j]);
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

        private static void ApplyRetainKeys(JsonObject original, JsonObject patch, JsonNode? retainNode, string path)
        {
            if (retainNode is not JsonArray retainList || retainList.Any(k => k is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
                throw new PatchException($"{Where(path)}: invalid patch format of retainKeys: $retainKeys must be a list of strings, not {Describe(retainNode)}");
            var retain = retainList.Select(k => k!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            foreach (var (key, value) in patch)
            {
                if (value is null || key.StartsWith('$'))
                    continue;
                if (!retain.Contains(key))
                    throw new PatchException($"{Where(path)}: invalid patch format of retainKeys: \"{key}\" is in the patch but not in $retainKeys");
            }
            foreach (var key in original.Select(kv => kv.Key).Where(k => !retain.Contains(k)).ToList())
                original.Remove(key);
        }

        /// <summary>The fields a patch map touches, in patch order: plain keys and the targets of field directives.</summary>
        private static List<string> FieldsOf(JsonObject patch, string path)
        {
            var fields = new List<string>();
            foreach (var (key, _) in patch)
            {
                string field;
                if (key is PatchDirective or RetainKeysDirective)
                    continue;
                if (key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal))
                    field = key[SetElementOrderPrefix.Length..];
                else if (key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal))
                    field = key[DeleteFromPrimitiveListPrefix.Length..];
                else if (key.StartsWith("$setElementOrder", StringComparison.Ordinal) || key.StartsWith("$deleteFromPrimitiveList", StringComparison.Ordinal))
                    throw new PatchException($"{Where(path)}: directive \"{key}\" must name a field after '/'");
                else
                    field = key;
                if (field.Length == 0)
                    throw new PatchException($"{Where(path)}: directive \"{key}\" must name a field after '/'");
                if (!fields.Contains(field, StringComparer.Ordinal))
                    fields.Add(field);
            }
            return fields;
        }

        private static string DirectiveValue(JsonNode? node, string path) =>
            node is JsonValue v && v.GetValueKind() == JsonValueKind.String
                ? v.GetValue<string>()
                : throw new PatchException($"{Where(path)}: $patch must be a string (\"replace\", \"delete\" or \"merge\"), not {Describe(node)}");

        private static JsonObject Without(JsonObject map, string key)
        {
            var copy = new JsonObject();
            foreach (var (k, v) in map)
            {
                if (k != key)
                    copy[k] = v?.DeepClone();
            }
            return copy;
        }

        private static List<JsonNode?> Distinct(List<JsonNode?> items)
        {
            var result = new List<JsonNode?>();
            foreach (var item in items)
            {
                if (!result.Any(r => JsonNode.DeepEquals(r, item)))
                    result.Add(item);
            }
            return result;
        }

        private static JsonArray ToArray(IEnumerable<JsonNode?> items)
        {
            var array = new JsonArray();
            foreach (var item in items)
                array.Add(item is null ? null : item.Parent is null ? item : item.DeepClone());
            return array;
        }

        private static string Where(string path) => path.Length == 0 ? "strategic merge patch" : $"strategic merge patch at {path.Replace('/', '.')}";

        private static string Describe(JsonNode? node)
        {
            var json = node?.ToJsonString() ?? "null";
            return json.Length > 200 ? json[..200] + "..." : json;
        }
    }
}

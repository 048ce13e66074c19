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
/// This file holds maps and directives; <c>StrategicMergePatch.Lists.cs</c> the merging and ordering of lists.
/// </summary>
public static partial class StrategicMergePatch
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

    /// <summary>
    /// A copy of <paramref name="node"/> without directive keys (<c>$patch</c>, <c>$retainKeys</c>,
    /// <c>$setElementOrder/...</c>, <c>$deleteFromPrimitiveList/...</c>) at any depth; a list element
    /// that held only a directive stays as an empty object, so list positions are kept. Nulls are
    /// kept, as in a JSON merge patch's lists.
    /// </summary>
    public static JsonNode? WithoutDirectives(JsonNode? node) => node switch
    {
        JsonObject map => new JsonObject(map
            .Where(kv => !IsDirective(kv.Key))
            .Select(kv => KeyValuePair.Create(kv.Key, WithoutDirectives(kv.Value)))),
        JsonArray list => new JsonArray(list.Select(WithoutDirectives).ToArray()),
        _ => node?.DeepClone(),
    };

    private static bool IsDirective(string key) =>
        key is PatchDirective or RetainKeysDirective
        || key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)
        || key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal);

    /// <summary>One patch application: maps and directives here, lists in <c>StrategicMergePatch.Lists.cs</c>.</summary>
    private sealed partial class Merger(IReadOnlyDictionary<string, ListStrategy> strategies)
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
                        var delete = NodeKeyComparer.Set(toDelete);
                        var kept = list.Where(item => !delete.Contains(new NodeKey(item))).ToList();
                        list.Clear(); // detach the elements so the kept ones move back without copying
                        foreach (var item in kept)
                            list.Add(item);
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

        private static string Where(string path) => path.Length == 0 ? "strategic merge patch" : $"strategic merge patch at {path.Replace('/', '.')}";

        private static string Describe(JsonNode? node)
        {
            var json = node?.ToJsonString() ?? "null";
            return json.Length > 200 ? json[..200] + "..." : json;
        }
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Domain.Patching;

/// <summary>
/// RFC 6902 JSON Patch (<c>kubectl patch --type=json</c>, <c>application/json-patch+json</c>): a list
/// of <c>add</c>, <c>remove</c>, <c>replace</c>, <c>move</c>, <c>copy</c> and <c>test</c>
/// operations addressed by RFC 6901 JSON Pointers. Operations apply in order and all or nothing.
/// A patch's <c>copy</c> operations together may copy at most <see cref="MaxCopiedValues"/> values:
/// each can copy the whole document into itself, so without a bound 64 operations would build 2^64
/// values (Kubernetes bounds them the same way, with json-patch's <c>AccumulatedCopySizeLimit</c>).
/// </summary>
public static class JsonPatch
{
    /// <summary>Most values (objects, arrays, scalars) one patch's copy operations may copy, all together: the default of <c>orchestrator.api.decoding.max-values</c>.</summary>
    public const long MaxCopiedValues = 200_000;

    /// <summary>Applies the operations in <paramref name="patch"/> (a JSON array) to a copy of <paramref name="target"/>.</summary>
    /// <exception cref="PatchException">The patch is malformed, a path does not exist, a test fails, or its copies exceed <see cref="MaxCopiedValues"/>.</exception>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonArray operations)
            throw new PatchException($"a JSON patch must be a list of operations, not {Describe(patch)}");

        // The document lives under a holder so that the root can be replaced like any other value.
        var holder = new JsonObject { ["doc"] = target?.DeepClone() };
        var copied = 0L;
        for (var i = 0; i < operations.Count; i++)
        {
            if (operations[i] is not JsonObject operation)
                throw new PatchException($"JSON patch operation {i}: must be an object, not {Describe(operations[i])}");
            ApplyOperation(holder, operation, i, ref copied);
        }
        return holder["doc"]?.DeepClone();
    }

    private static void ApplyOperation(JsonObject holder, JsonObject operation, int index, ref long copied)
    {
        var op = RequiredString(operation, "op", index);
        var path = RequiredString(operation, "path", index);
        var where = $"JSON patch operation {index} ({op} {FormatPath(path)})";
        var tokens = ParsePointer(path, where);
        switch (op)
        {
            case "add":
                Add(holder, tokens, RequiredValue(operation, where), where);
                break;
            case "remove":
                if (tokens.Count == 0)
                    throw new PatchException($"{where}: cannot remove the whole document");
                Remove(holder, tokens, where);
                break;
            case "replace":
                Replace(holder, tokens, RequiredValue(operation, where), where);
                break;
            case "move":
            {
                var from = RequiredString(operation, "from", index);
                var fromTokens = ParsePointer(from, where);
                if (IsProperPrefix(fromTokens, tokens))
                    throw new PatchException($"{where}: cannot move {FormatPath(from)} into one of its own children");
                if (tokens.SequenceEqual(fromTokens))
                {
                    Get(holder, fromTokens, where, "from");
                    break;
                }
                if (fromTokens.Count == 0)
                    throw new PatchException($"{where}: cannot move the whole document");
                var value = Get(holder, fromTokens, where, "from")?.DeepClone();
                Remove(holder, fromTokens, where);
                Add(holder, tokens, value, where);
                break;
            }
            case "copy":
            {
                var from = RequiredString(operation, "from", index);
                var source = Get(holder, ParsePointer(from, where), where, "from");
                copied += CountValues(source, MaxCopiedValues - copied + 1);
                if (copied > MaxCopiedValues)
                    throw new PatchException($"{where}: the patch's copy operations copy more than {MaxCopiedValues} values");
                Add(holder, tokens, source, where); // Add copies it
                break;
            }
            case "test":
            {
                var expected = RequiredValue(operation, where);
                var actual = Get(holder, tokens, where, "path");
                if (!JsonNode.DeepEquals(actual, expected))
                    throw new PatchException($"{where}: test failed: the value is {Describe(actual)}, expected {Describe(expected)}");
                break;
            }
            default:
                throw new PatchException($"JSON patch operation {index}: unknown op \"{op}\": expected add, remove, replace, move, copy or test");
        }
    }

    /// <summary>The values in <paramref name="node"/> (itself included), counting no further than <paramref name="stopAt"/>.</summary>
    private static long CountValues(JsonNode? node, long stopAt)
    {
        var count = 0L;
        var pending = new Stack<JsonNode?>();
        pending.Push(node);
        while (pending.Count > 0 && count < stopAt)
        {
            count++;
            switch (pending.Pop())
            {
                case JsonObject obj:
                    foreach (var member in obj) pending.Push(member.Value);
                    break;
                case JsonArray array:
                    foreach (var item in array) pending.Push(item);
                    break;
            }
        }
        return count;
    }

    private static void Add(JsonObject holder, List<string> tokens, JsonNode? value, string where)
    {
        var (parent, last) = Parent(holder, tokens, where);
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value?.DeepClone();
                break;
            case JsonArray array:
                var at = last == "-" ? array.Count : ArrayIndex(last, array.Count, allowEnd: true, where);
                array.Insert(at, value?.DeepClone());
                break;
            default:
                throw new PatchException($"{where}: cannot add to {Describe(parent)}: it is neither an object nor a list");
        }
    }

    private static void Remove(JsonObject holder, List<string> tokens, string where)
    {
        var (parent, last) = Parent(holder, tokens, where);
        switch (parent)
        {
            case JsonObject obj when obj.ContainsKey(last):
                obj.Remove(last);
                break;
            case JsonArray array:
                array.RemoveAt(ArrayIndex(last, array.Count, allowEnd: false, where));
                break;
            default:
                throw new PatchException($"{where}: the path does not exist");
        }
    }

    private static void Replace(JsonObject holder, List<string> tokens, JsonNode? value, string where)
    {
        var (parent, last) = Parent(holder, tokens, where);
        switch (parent)
        {
            case JsonObject obj when obj.ContainsKey(last):
                obj[last] = value?.DeepClone();
                break;
            case JsonArray array:
                array[ArrayIndex(last, array.Count, allowEnd: false, where)] = value?.DeepClone();
                break;
            default:
                throw new PatchException($"{where}: the path does not exist");
        }
    }

    private static JsonNode? Get(JsonObject holder, List<string> tokens, string where, string which)
    {
        JsonNode? node = holder["doc"];
        if (tokens.Count == 0)
            return node;
        var (parent, last) = Parent(holder, tokens, where, which);
        switch (parent)
        {
            case JsonObject obj when obj.TryGetPropertyValue(last, out var child):
                return child;
            case JsonArray array:
                return array[ArrayIndex(last, array.Count, allowEnd: false, where)];
            default:
                throw new PatchException($"{where}: {Subject(which)} does not exist");
        }
    }

    /// <summary>The container holding the last token (the holder for the root) and that token.</summary>
    private static (JsonNode? Parent, string Last) Parent(JsonObject holder, List<string> tokens, string where, string which = "path")
    {
        if (tokens.Count == 0)
            return (holder, "doc");
        JsonNode? node = holder["doc"];
        for (var i = 0; i < tokens.Count - 1; i++)
        {
            var token = tokens[i];
            node = node switch
            {
                JsonObject obj when obj.TryGetPropertyValue(token, out var child) => child,
                JsonArray array => array[ArrayIndex(token, array.Count, allowEnd: false, where)],
                _ => throw new PatchException(
                    $"{where}: {Subject(which)} does not exist: {FormatPath("/" + string.Join("/", tokens.Take(i + 1).Select(Escape)))} is missing"),
            };
        }
        if (node is not (JsonObject or JsonArray))
            throw new PatchException(
                $"{where}: {Subject(which)} does not exist: {FormatPath("/" + string.Join("/", tokens.Take(tokens.Count - 1).Select(Escape)))} is {Describe(node)}, not an object or a list");
        return (node, tokens[^1]);
    }

    private static int ArrayIndex(string token, int count, bool allowEnd, string where)
    {
        var valid = token.Length > 0 && token.All(char.IsAsciiDigit) && (token.Length == 1 || token[0] != '0');
        if (!valid || !int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            throw new PatchException($"{where}: \"{token}\" is not a valid list index");
        if (index > count || (index == count && !allowEnd))
            throw new PatchException($"{where}: list index {index} is out of range (the list has {count} elements)");
        return index;
    }

    private static List<string> ParsePointer(string pointer, string where)
    {
        if (pointer.Length == 0)
            return [];
        if (pointer[0] != '/')
            throw new PatchException($"{where}: a JSON pointer must be empty or start with '/'");
        var tokens = new List<string>();
        foreach (var raw in pointer[1..].Split('/'))
        {
            var sb = new StringBuilder(raw.Length);
            for (var i = 0; i < raw.Length; i++)
            {
                if (raw[i] != '~')
                {
                    sb.Append(raw[i]);
                    continue;
                }
                if (i + 1 < raw.Length && raw[i + 1] is '0' or '1')
                {
                    sb.Append(raw[++i] == '0' ? '~' : '/');
                    continue;
                }
                throw new PatchException($"{where}: invalid escape in JSON pointer: '~' must be followed by '0' or '1'");
            }
            tokens.Add(sb.ToString());
        }
        return tokens;
    }

    private static bool IsProperPrefix(List<string> prefix, List<string> tokens) =>
        prefix.Count < tokens.Count && prefix.SequenceEqual(tokens.Take(prefix.Count));

    private static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static string RequiredString(JsonObject operation, string field, int index)
    {
        if (operation[field] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            return v.GetValue<string>();
        throw new PatchException(operation.ContainsKey(field)
            ? $"JSON patch operation {index}: \"{field}\" must be a string, not {Describe(operation[field])}"
            : $"JSON patch operation {index}: \"{field}\" is missing");
    }

    private static JsonNode? RequiredValue(JsonObject operation, string where) =>
        operation.TryGetPropertyValue("value", out var value)
            ? value
            : throw new PatchException($"{where}: \"value\" is missing");

    private static string Subject(string which) => which == "path" ? "the path" : $"the {which} path";

    private static string FormatPath(string path) => path.Length == 0 ? "\"\" (the whole document)" : path;

    private static string Describe(JsonNode? node)
    {
        var json = node?.ToJsonString() ?? "null";
        return json.Length > 200 ? json[..200] + "..." : json;
    }
}

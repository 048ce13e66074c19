using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Orchestrator.Domain.Serialization;

/// <summary>A field given twice in one object: its path (<c>metadata.name</c>) and, for YAML, the line of the repeat.</summary>
public sealed record DuplicateField(string Path, int Line)
{
    /// <summary>As Kubernetes' strict decoder words it: <c>duplicate field "metadata.name"</c>.</summary>
    public override string ToString() => $"duplicate field \"{Path}\"";
}

/// <summary>
/// Builds a JSON tree from a decoder's events (start object, key, value, end, ...) while enforcing the
/// <see cref="DecodeLimits"/> as it goes, so a refused body stops at the value that broke the limit,
/// not after building it. A key given twice keeps its last value (as Kubernetes' decoder does) and is
/// recorded in <see cref="Duplicates"/>. One builder serves one stream; <see cref="Take"/> hands over
/// each finished document.
/// </summary>
internal sealed class BoundedTreeBuilder(DecodeLimits limits)
{
    private sealed class Frame(JsonNode container, object? segment)
    {
        public JsonNode Container { get; } = container;

        /// <summary>Where this container sits in its parent: its key (string) or index (int); null for the root.</summary>
        public object? Segment { get; } = segment;

        public string? PendingKey { get; set; }

        public int Count { get; set; }

        /// <summary>Levels of containers below and including this one.</summary>
        public int Height { get; set; } = 1;

        public long ValuesAtStart { get; init; }
    }

    private readonly List<Frame> _stack = [];
    private JsonNode? _root;
    private bool _done;

    public List<DuplicateField> Duplicates { get; } = [];

    /// <summary>Values built in this stream so far (expanded aliases included).</summary>
    public long Values { get; private set; }

    public int Depth => _stack.Count;

    /// <summary>True while the innermost container is an object waiting for its next key.</summary>
    public bool ExpectsKey => _stack.Count > 0 && _stack[^1].Container is JsonObject && _stack[^1].PendingKey is null;

    public void StartObject(int line = 0) => Start(new JsonObject(), line);

    public void StartArray(int line = 0) => Start(new JsonArray(), line);

    /// <summary>The next member's key of the innermost object.</summary>
    public void Key(string key)
    {
        CheckString(key);
        _stack[^1].PendingKey = key;
    }

    /// <summary>Adds a scalar (or null).</summary>
    public void Value(JsonNode? value, int line = 0)
    {
        CountValues(1);
        Place(value, 0, line);
    }

    /// <summary>Adds an already built subtree (an expanded alias) of <paramref name="height"/> container levels; its values were counted by the caller.</summary>
    public void Subtree(JsonNode? value, int height, int line = 0)
    {
        if (_stack.Count + height > limits.MaxDepth) throw DepthExceeded();
        Place(value, height, line);
    }

    /// <summary>Closes the innermost container; returns it with its height and the values it holds (itself included).</summary>
    public (JsonNode Node, int Height, long Values) End(int line = 0)
    {
        var frame = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        var values = Values - frame.ValuesAtStart;
        Place(frame.Container, frame.Height, line);
        return (frame.Container, frame.Height, values);
    }

    /// <summary>Counts values about to be added (an alias's expansion); throws past <see cref="DecodeLimits.MaxValues"/>.</summary>
    public void CountValues(long count)
    {
        Values += count;
        if (Values > limits.MaxValues)
            throw DecodeLimitException.Exceeded("max-values", $"the body holds more than {limits.MaxValues} values");
    }

    public void CheckString(string text)
    {
        if (text.Length > limits.MaxStringLength)
            throw DecodeLimitException.Exceeded("max-string-length", $"a string is longer than {limits.MaxStringLength} characters");
    }

    /// <summary>The finished document (null for a null document), and readies the builder for the next.</summary>
    public JsonNode? Take()
    {
        if (_stack.Count > 0) throw new InvalidOperationException("the document is not finished");
        var root = _root;
        _root = null;
        _done = false;
        return root;
    }

    private void Start(JsonNode container, int line)
    {
        if (_stack.Count + 1 > limits.MaxDepth) throw DepthExceeded();
        var segment = _stack.Count == 0 ? null : SegmentForNext(line);
        CountValues(1);
        _stack.Add(new Frame(container, segment) { ValuesAtStart = Values - 1 });
    }

    private object? SegmentForNext(int line)
    {
        var parent = _stack[^1];
        if (parent.Container is JsonArray) return parent.Count;
        return parent.PendingKey ?? throw new FormatException(At(line, "a value where a key was expected"));
    }

    private void Place(JsonNode? value, int height, int line)
    {
        if (_stack.Count == 0)
        {
            if (_done) throw new FormatException("more than one value in the document");
            _root = value;
            _done = true;
            return;
        }
        var parent = _stack[^1];
        parent.Height = Math.Max(parent.Height, height + 1);
        if (parent.Container is JsonArray array)
        {
            AddCount(parent);
            array.Add(value);
            return;
        }
        var obj = (JsonObject)parent.Container;
        var key = parent.PendingKey ?? throw new FormatException(At(line, "a value where a key was expected"));
        parent.PendingKey = null;
        if (obj.ContainsKey(key))
        {
            Duplicates.Add(new DuplicateField(PathOf(key), line));
            obj[key] = value;
            return;
        }
        AddCount(parent);
        obj[key] = value;
    }

    private void AddCount(Frame frame)
    {
        frame.Count++;
        if (frame.Count > limits.MaxCollectionItems)
            throw DecodeLimitException.Exceeded("max-collection-items", $"an object or array holds more than {limits.MaxCollectionItems} items");
    }

    private DecodeLimitException DepthExceeded() =>
        DecodeLimitException.Exceeded("max-depth", $"the body nests deeper than {limits.MaxDepth} levels");

    /// <summary>"spec.containers[0].name", as Kubernetes spells field paths.</summary>
    private string PathOf(string key)
    {
        var text = new StringBuilder();
        foreach (var frame in _stack)
        {
            switch (frame.Segment)
            {
                case int index:
                    text.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
                    break;
                case string name:
                    if (text.Length > 0) text.Append('.');
                    text.Append(name);
                    break;
            }
        }
        if (text.Length > 0) text.Append('.');
        return text.Append(key).ToString();
    }

    private static string At(int line, string problem) => line > 0 ? $"line {line}: {problem}" : problem;
}

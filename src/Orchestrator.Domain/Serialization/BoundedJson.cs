using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Domain.Serialization;

/// <summary>A JSON body as a tree, and the fields it gave twice (each keeping its last value).</summary>
public sealed record JsonDecoded(JsonNode? Root, IReadOnlyList<DuplicateField> Duplicates);

/// <summary>
/// Reads a JSON body into a tree under <see cref="DecodeLimits"/> (depth, string length, items,
/// values), stopping at the first value beyond a limit. A field given twice keeps its last value and
/// is reported, as Kubernetes' decoder does (<c>JsonNode.Parse</c> would throw "An item with the same
/// key has already been added" instead). Comments and trailing commas are refused, as in Go.
/// Throws <see cref="FormatException"/> (<see cref="DecodeLimitException"/> past a limit).
/// </summary>
public static class BoundedJson
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static JsonDecoded Decode(string json, DecodeLimits limits)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Decode(Utf8.GetBytes(json), limits);
    }

    public static JsonDecoded Decode(ReadOnlySpan<byte> utf8, DecodeLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var builder = new BoundedTreeBuilder(limits);
        // The reader's own depth check is a backstop above ours, which names the limit.
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = limits.MaxDepth + 2, CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            var any = false;
            while (reader.Read())
            {
                any = true;
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        builder.StartObject();
                        break;
                    case JsonTokenType.StartArray:
                        builder.StartArray();
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        builder.End();
                        break;
                    case JsonTokenType.PropertyName:
                        builder.Key(reader.GetString()!);
                        break;
                    case JsonTokenType.String:
                        var text = reader.GetString()!;
                        builder.CheckString(text);
                        builder.Value(JsonValue.Create(text));
                        break;
                    case JsonTokenType.Number:
                        if (reader.ValueSpan.Length > 64)
                            throw DecodeLimitException.Exceeded("max-string-length", "a number is longer than 64 digits");
                        builder.Value(JsonValue.Create(JsonElement.ParseValue(ref reader)));
                        break;
                    case JsonTokenType.True:
                        builder.Value(JsonValue.Create(true));
                        break;
                    case JsonTokenType.False:
                        builder.Value(JsonValue.Create(false));
                        break;
                    case JsonTokenType.Null:
                        builder.Value(null);
                        break;
                }
            }
            if (!any) throw new FormatException("the body holds no JSON value");
            return new JsonDecoded(builder.Take(), builder.Duplicates);
        }
        catch (JsonException e)
        {
            throw new FormatException(e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            // GetString on a string the reader cannot hand over (an escaped lone surrogate).
            throw new FormatException($"invalid string at byte {reader.TokenStartIndex}: {e.Message}", e);
        }
    }
}

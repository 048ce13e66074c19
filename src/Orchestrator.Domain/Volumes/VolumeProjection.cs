using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Volumes;

/// <summary>A file of a configMap, secret, downwardAPI or projected volume: its path inside the volume, content and mode.</summary>
public sealed record ProjectedFile(string Path, byte[] Content, int Mode)
{
    /// <summary>Same path, mode and bytes.</summary>
    public bool SameAs(ProjectedFile other) => other is not null && Path == other.Path && Mode == other.Mode && Content.AsSpan().SequenceEqual(other.Content);
}

/// <summary>A ConfigMap or Secret a volume reads, in the pod's namespace.</summary>
public sealed record VolumeObjectRef(string Kind, string Name);

/// <summary>A volume cannot be set up: its ConfigMap, Secret or key is missing (Kubernetes' FailedMount).</summary>
public sealed class VolumeSetupException(string message) : Exception(message);

/// <summary>
/// Which files a configMap, secret, downwardAPI or projected volume holds, as kubelet projects
/// them: every key (or the listed items) as a file, Secret values decoded, modes from the item,
/// else the volume's defaultMode (0644); downward API fields as text (labels and annotations as
/// sorted <c>key="value"</c> lines). Pure: the caller reads the objects first.
/// </summary>
public static class VolumeProjection
{
    private static readonly string[] ProjectedTypes = ["configMap", "secret", "downwardAPI", "projected"];

    /// <summary>Whether the volume's files are projected from objects (and updated when they change).</summary>
    public static bool IsProjected(JsonObject volume) => ProjectedTypes.Any(t => volume?[t] is not null);

    /// <summary>The ConfigMaps and Secrets a volume reads.</summary>
    public static IReadOnlyList<VolumeObjectRef> Sources(JsonObject volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var refs = new List<VolumeObjectRef>();
        if (volume["configMap"]?.AsObject().GetString("name") is { Length: > 0 } cm) refs.Add(new VolumeObjectRef("ConfigMap", cm));
        if (volume["secret"]?.AsObject().GetString("secretName") is { Length: > 0 } secret) refs.Add(new VolumeObjectRef("Secret", secret));
        foreach (var source in volume["projected"]?["sources"] as JsonArray ?? [])
        {
            if (source?["configMap"]?.AsObject().GetString("name") is { Length: > 0 } pcm) refs.Add(new VolumeObjectRef("ConfigMap", pcm));
            if (source?["secret"]?.AsObject().GetString("name") is { Length: > 0 } ps) refs.Add(new VolumeObjectRef("Secret", ps));
        }
        return refs.Distinct().ToList();
    }

    /// <summary>
    /// The files of <paramref name="volume"/> of <paramref name="pod"/>; <paramref name="objects"/>
    /// holds the <see cref="Sources"/> that exist.
    /// </summary>
    /// <exception cref="VolumeSetupException">A ConfigMap, Secret or item key it needs is missing and not optional.</exception>
    public static IReadOnlyList<ProjectedFile> Files(JsonObject pod, JsonObject volume, IReadOnlyDictionary<VolumeObjectRef, JsonObject> objects)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentNullException.ThrowIfNull(objects);
        var files = new List<ProjectedFile>();
        if (volume["configMap"] is JsonObject cm) files.AddRange(FromObject("ConfigMap", cm, cm.GetString("name"), Mode(cm, "defaultMode"), objects));
        else if (volume["secret"] is JsonObject secret) files.AddRange(FromObject("Secret", secret, secret.GetString("secretName"), Mode(secret, "defaultMode"), objects));
        else if (volume["downwardAPI"] is JsonObject downward) files.AddRange(FromPod(pod, downward, Mode(downward, "defaultMode")));
        else if (volume["projected"] is JsonObject projected)
        {
            var mode = Mode(projected, "defaultMode");
            foreach (var source in projected["sources"] as JsonArray ?? [])
            {
                if (source?["configMap"] is JsonObject pcm) files.AddRange(FromObject("ConfigMap", pcm, pcm.GetString("name"), mode, objects));
                else if (source?["secret"] is JsonObject ps) files.AddRange(FromObject("Secret", ps, ps.GetString("name"), mode, objects));
                else if (source?["downwardAPI"] is JsonObject pd) files.AddRange(FromPod(pod, pd, mode));
            }
        }
        // A later source's file wins over an earlier one at the same path, as kubelet writes them in order.
        return files.GroupBy(f => f.Path, StringComparer.Ordinal).Select(g => g.Last()).ToList();
    }

    private static IEnumerable<ProjectedFile> FromObject(string kind, JsonObject source, string? name, int defaultMode, IReadOnlyDictionary<VolumeObjectRef, JsonObject> objects)
    {
        var optional = source["optional"] is JsonValue flag && flag.TryGetValue<bool>(out var isOptional) && isOptional;
        if (name is null || !objects.TryGetValue(new VolumeObjectRef(kind, name), out var obj))
        {
            if (optional) return [];
            throw new VolumeSetupException($"{kind.ToLowerInvariant()} \"{name}\" not found");
        }
        var data = DataOf(kind, obj);
        if (source["items"] is not JsonArray { Count: > 0 } items)
            return data.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => new ProjectedFile(d.Key, d.Value, defaultMode)).ToList();
        var files = new List<ProjectedFile>();
        foreach (var item in items.OfType<JsonObject>())
        {
            var key = item.GetString("key") ?? "";
            if (!data.TryGetValue(key, out var content))
            {
                if (optional) continue;
                throw new VolumeSetupException(kind == "Secret"
                    ? $"references non-existent secret key: {key}"
                    : $"configmap references non-existent config key: {key}");
            }
            files.Add(new ProjectedFile(CheckedPath(item.GetString("path")), content, Mode(item, "mode", defaultMode)));
        }
        return files;
    }

    private static IEnumerable<ProjectedFile> FromPod(JsonObject pod, JsonObject source, int defaultMode)
    {
        foreach (var item in (source["items"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var field = item["fieldRef"]?["fieldPath"]?.GetValue<string>() ?? "";
            yield return new ProjectedFile(CheckedPath(item.GetString("path")), Encoding.UTF8.GetBytes(FieldValue(pod, field)), Mode(item, "mode", defaultMode));
        }
    }

    /// <summary>A downward API field's text, as kubelet writes it into a file.</summary>
    public static string FieldValue(JsonObject pod, string field) => field switch
    {
        "metadata.name" => pod.Name(),
        "metadata.namespace" => pod.Namespace(),
        "metadata.uid" => pod.Uid() ?? "",
        "metadata.labels" => FormatMap(pod.Labels()),
        "metadata.annotations" => FormatMap(pod.Annotations()),
        _ when field.StartsWith("metadata.labels['", StringComparison.Ordinal) && field.EndsWith("']", StringComparison.Ordinal)
            => pod.Labels().GetValueOrDefault(field["metadata.labels['".Length..^2]) ?? "",
        _ when field.StartsWith("metadata.annotations['", StringComparison.Ordinal) && field.EndsWith("']", StringComparison.Ordinal)
            => pod.Annotations().GetValueOrDefault(field["metadata.annotations['".Length..^2]) ?? "",
        _ => throw new VolumeSetupException($"downward API field {field} is not supported"),
    };

    /// <summary>Kubernetes' <c>fieldpath.FormatMap</c>: sorted <c>key="value"</c> lines.</summary>
    public static string FormatMap(IReadOnlyDictionary<string, string> map) =>
        string.Join('\n', map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={Quote(kv.Value)}"));

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal) + "\"";

    private static Dictionary<string, byte[]> DataOf(string kind, JsonObject obj)
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in ObjectMeta.StringMap(obj["data"]))
        {
            if (kind == "Secret")
            {
                try
                {
                    data[key] = Convert.FromBase64String(value);
                }
                catch (FormatException)
                {
                    throw new VolumeSetupException($"secret {obj.Name()}: data.{key} is not base64");
                }
            }
            else
            {
                data[key] = Encoding.UTF8.GetBytes(value);
            }
        }
        if (kind == "ConfigMap")
        {
            foreach (var (key, value) in ObjectMeta.StringMap(obj["binaryData"]))
            {
                try
                {
                    data[key] = Convert.FromBase64String(value);
                }
                catch (FormatException)
                {
                    throw new VolumeSetupException($"configmap {obj.Name()}: binaryData.{key} is not base64");
                }
            }
        }
        return data;
    }

    private static string CheckedPath(string? path) =>
        path is not null && VolumeTypes.BadRelativePath(path) is null && !path.StartsWith("..", StringComparison.Ordinal)
            ? path
            : throw new VolumeSetupException($"volume file path \"{path}\" must be relative and must not contain '..'");

    private static int Mode(JsonObject obj, string field, int fallback = VolumeTypes.DefaultMode) =>
        obj[field].GetLong() is { } mode and >= 0 and <= 511 ? (int)mode : fallback;
}

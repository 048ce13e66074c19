using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;
using Orchestrator.Domain.Volumes;

namespace Orchestrator.Domain.Pods;

/// <summary>
/// Validation of a pod spec's <c>volumes</c> and its containers' <c>volumeMounts</c>, as Kubernetes
/// does it: names unique DNS labels, exactly one source each, the sources' fields, mounts naming an
/// existing volume at a unique absolute path, relative subPaths.
/// </summary>
public static class VolumeValidation
{
    public static IEnumerable<FieldError> Validate(JsonObject spec, string path)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (spec["volumes"] is JsonArray volumes)
        {
            for (var i = 0; i < volumes.Count; i++)
            {
                foreach (var e in ValidateVolume(volumes[i] as JsonObject, $"{path}.volumes[{i}]", names)) yield return e;
            }
        }
        foreach (var list in new[] { "containers", "initContainers" })
        {
            if (spec[list] is not JsonArray containers) continue;
            for (var i = 0; i < containers.Count; i++)
            {
                if (containers[i] is not JsonObject c || c["volumeMounts"] is not JsonArray mounts) continue;
                var targets = new HashSet<string>(StringComparer.Ordinal);
                for (var j = 0; j < mounts.Count; j++)
                {
                    foreach (var e in ValidateMount(mounts[j] as JsonObject, $"{path}.{list}[{i}].volumeMounts[{j}]", names, targets)) yield return e;
                }
            }
        }
    }

    private static IEnumerable<FieldError> ValidateVolume(JsonObject? volume, string path, HashSet<string> names)
    {
        if (volume is null)
        {
            yield return FieldError.Required(path);
            yield break;
        }
        var name = volume.GetString("name");
        if (string.IsNullOrEmpty(name))
        {
            yield return FieldError.Required($"{path}.name");
        }
        else
        {
            foreach (var e in NameValidation.IsDns1123Label(name, $"{path}.name")) yield return e;
            if (!names.Add(name)) yield return FieldError.Duplicate($"{path}.name", name);
        }
        var unsupported = VolumeTypes.Unsupported.FirstOrDefault(t => volume[t] is not null);
        if (unsupported is not null)
        {
            yield return FieldError.Forbidden($"{path}.{unsupported}", $"{unsupported} volumes are not supported here (supported: {string.Join(", ", VolumeTypes.Supported)})");
            yield break;
        }
        var types = VolumeTypes.Supported.Where(t => volume[t] is not null).ToList();
        if (types.Count == 0)
        {
            yield return FieldError.Required(path, "must specify a volume type");
            yield break;
        }
        if (types.Count > 1)
        {
            yield return FieldError.Forbidden($"{path}.{types[1]}", "may not specify more than 1 volume type");
            yield break;
        }
        var source = volume[types[0]] as JsonObject ?? [];
        var at = $"{path}.{types[0]}";
        var errors = types[0] switch
        {
            "emptyDir" => EmptyDir(source, at),
            "hostPath" => HostPath(source, at),
            "configMap" => KeyProjection(source, at, "name"),
            "secret" => KeyProjection(source, at, "secretName"),
            "downwardAPI" => DownwardApi(source, at),
            _ => Projected(source, at),
        };
        foreach (var e in errors) yield return e;
    }

    private static IEnumerable<FieldError> EmptyDir(JsonObject source, string path)
    {
        if (source.GetString("medium") is { Length: > 0 } medium && medium != "Memory")
            yield return FieldError.NotSupported($"{path}.medium", medium, ["", "Memory"]);
        if (source["sizeLimit"] is { } limit)
        {
            var text = limit is JsonValue v && v.TryGetValue<string>(out var s) ? s : limit.ToJsonString();
            if (!Quantities.TryParse(text, out var bytes, out var error)) yield return FieldError.Invalid($"{path}.sizeLimit", text, error);
            else if (bytes < 0) yield return FieldError.Invalid($"{path}.sizeLimit", text, "must be greater than or equal to 0");
        }
    }

    private static IEnumerable<FieldError> HostPath(JsonObject source, string path)
    {
        if (string.IsNullOrEmpty(source.GetString("path"))) yield return FieldError.Required($"{path}.path");
        else if (!source.GetString("path")!.StartsWith('/')) yield return FieldError.Invalid($"{path}.path", source.GetString("path"), "must be an absolute path");
        if (source.GetString("type") is { } type && !VolumeTypes.HostPathTypes.Contains(type))
            yield return FieldError.NotSupported($"{path}.type", type, VolumeTypes.HostPathTypes);
    }

    /// <summary>configMap and secret volumes (and their projected sources): the object's name, items, modes.</summary>
    private static IEnumerable<FieldError> KeyProjection(JsonObject source, string path, string nameField, bool projected = false)
    {
        if (string.IsNullOrEmpty(source.GetString(nameField))) yield return FieldError.Required($"{path}.{nameField}");
        foreach (var e in Items(source, path, projected, KeyItem)) yield return e;
    }

    private static IEnumerable<FieldError> KeyItem(JsonObject item, string at)
    {
        if (string.IsNullOrEmpty(item.GetString("key"))) yield return FieldError.Required($"{at}.key");
    }

    private static IEnumerable<FieldError> DownwardApi(JsonObject source, string path, bool projected = false) =>
        Items(source, path, projected, DownwardItem);

    private static IEnumerable<FieldError> DownwardItem(JsonObject item, string at)
    {
        if (item["resourceFieldRef"] is not null)
        {
            yield return FieldError.Forbidden($"{at}.resourceFieldRef", "resourceFieldRef is not supported here; use fieldRef");
            yield break;
        }
        var field = item["fieldRef"]?["fieldPath"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        if (string.IsNullOrEmpty(field)) yield return FieldError.Required($"{at}.fieldRef");
        else if (!VolumeTypes.IsDownwardField(field)) yield return FieldError.NotSupported($"{at}.fieldRef.fieldPath", field, VolumeTypes.DownwardFields);
    }

    /// <summary>A source's defaultMode (a projected source has none of its own) and its items: unique relative paths, modes, and what <paramref name="item"/> checks.</summary>
    private static IEnumerable<FieldError> Items(JsonObject source, string path, bool projected, Func<JsonObject, string, IEnumerable<FieldError>> item)
    {
        if (!projected)
        {
            foreach (var e in Mode(source, "defaultMode", path)) yield return e;
        }
        if (source["items"] is not JsonArray items) yield break;
        var paths = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var entry = items[i] as JsonObject ?? [];
            var at = $"{path}.items[{i}]";
            foreach (var e in item(entry, at)) yield return e;
            foreach (var e in FilePath(entry, at, paths)) yield return e;
            foreach (var e in Mode(entry, "mode", at)) yield return e;
        }
    }

    private static IEnumerable<FieldError> Projected(JsonObject source, string path)
    {
        foreach (var e in Mode(source, "defaultMode", path)) yield return e;
        if (source["sources"] is not JsonArray sources) yield break;
        for (var i = 0; i < sources.Count; i++)
        {
            var s = sources[i] as JsonObject ?? [];
            var at = $"{path}.sources[{i}]";
            if (s["serviceAccountToken"] is not null)
            {
                yield return FieldError.Forbidden($"{at}.serviceAccountToken", "service account tokens are not supported here (there are no service accounts to issue them)");
                continue;
            }
            var kinds = new[] { "configMap", "secret", "downwardAPI", "clusterTrustBundle" }.Where(k => s[k] is not null).ToList();
            if (kinds.Count != 1)
            {
                yield return kinds.Count == 0 ? FieldError.Required(at, "must specify a source type") : FieldError.Forbidden($"{at}.{kinds[1]}", "may not specify more than 1 source type");
                continue;
            }
            var inner = s[kinds[0]] as JsonObject ?? [];
            var errors = kinds[0] switch
            {
                "configMap" => KeyProjection(inner, $"{at}.configMap", "name", projected: true),
                "secret" => KeyProjection(inner, $"{at}.secret", "name", projected: true),
                "downwardAPI" => DownwardApi(inner, $"{at}.downwardAPI", projected: true),
                _ => [FieldError.Forbidden($"{at}.{kinds[0]}", $"{kinds[0]} sources are not supported here")],
            };
            foreach (var e in errors) yield return e;
        }
    }

    private static IEnumerable<FieldError> FilePath(JsonObject item, string path, HashSet<string> paths)
    {
        var file = item.GetString("path");
        if (string.IsNullOrEmpty(file))
        {
            yield return FieldError.Required($"{path}.path");
            yield break;
        }
        if (VolumeTypes.BadRelativePath(file) is { } problem) yield return FieldError.Invalid($"{path}.path", file, problem);
        else if (file.StartsWith("..", StringComparison.Ordinal)) yield return FieldError.Invalid($"{path}.path", file, "must not start with '..'");
        if (!paths.Add(file)) yield return FieldError.Duplicate($"{path}.path", file);
    }

    private static IEnumerable<FieldError> Mode(JsonObject obj, string field, string path)
    {
        if (obj[field] is null) yield break;
        var mode = obj[field].GetLong();
        if (mode is null or < 0 or > 511) // 0777
            yield return FieldError.Invalid($"{path}.{field}", obj[field]!.ToJsonString(), "must be a number between 0 and 0777 (octal), both inclusive");
    }

    private static IEnumerable<FieldError> ValidateMount(JsonObject? mount, string path, HashSet<string> volumes, HashSet<string> targets)
    {
        if (mount is null)
        {
            yield return FieldError.Required(path);
            yield break;
        }
        var name = mount.GetString("name");
        if (string.IsNullOrEmpty(name)) yield return FieldError.Required($"{path}.name");
        else if (!volumes.Contains(name)) yield return FieldError.NotFound($"{path}.name", name);
        var target = mount.GetString("mountPath");
        if (string.IsNullOrEmpty(target)) yield return FieldError.Required($"{path}.mountPath");
        else if (!target.StartsWith('/')) yield return FieldError.Invalid($"{path}.mountPath", target, "must be an absolute path");
        else if (!targets.Add(target.TrimEnd('/'))) yield return FieldError.Invalid($"{path}.mountPath", target, "must be unique");
        if (mount.GetString("subPath") is { Length: > 0 } subPath && VolumeTypes.BadRelativePath(subPath) is { } problem)
            yield return FieldError.Invalid($"{path}.subPath", subPath, problem);
        if (mount["subPathExpr"] is not null)
            yield return FieldError.Forbidden($"{path}.subPathExpr", "subPathExpr is not supported here; use subPath");
    }
}

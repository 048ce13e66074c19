using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Pods;

/// <summary>
/// Validation of a container's <c>resources</c> as Kubernetes does it: resource names (cpu, memory,
/// ephemeral-storage, hugepages-*, or a qualified name with a domain), quantities (422 naming
/// <c>resources.limits[memory]</c>), no negative values, and no request above its limit.
/// </summary>
public static class ResourceValidation
{
    private static readonly string[] Standard = ["cpu", "memory", "ephemeral-storage"];

    public static IEnumerable<FieldError> Validate(JsonObject resources, string path)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var parsed = new Dictionary<string, Dictionary<string, (decimal Value, string Text)>>(StringComparer.Ordinal);
        foreach (var section in new[] { "limits", "requests" })
        {
            parsed[section] = new Dictionary<string, (decimal, string)>(StringComparer.Ordinal);
            if (resources[section] is not JsonObject values) continue;
            foreach (var (resource, value) in values)
            {
                var field = $"{path}.{section}[{resource}]";
                if (!IsContainerResourceName(resource))
                {
                    yield return FieldError.Invalid(field, resource, "must be a standard resource for containers");
                    continue;
                }
                var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "";
                if (!Quantities.TryParse(text, out var quantity, out var error))
                {
                    yield return FieldError.Invalid(field, text, error);
                    continue;
                }
                if (quantity < 0)
                {
                    yield return FieldError.Invalid(field, text, "must be greater than or equal to 0");
                    continue;
                }
                parsed[section][resource] = (quantity, text);
            }
        }
        foreach (var (resource, request) in parsed["requests"])
        {
            if (parsed["limits"].TryGetValue(resource, out var limit) && request.Value > limit.Value)
                yield return FieldError.Invalid($"{path}.requests", request.Text, $"must be less than or equal to {resource} limit of {limit.Text}");
        }
    }

    private static bool IsContainerResourceName(string name) =>
        Standard.Contains(name)
        || name.StartsWith("hugepages-", StringComparison.Ordinal)
        || (name.Contains('/', StringComparison.Ordinal) && !name.StartsWith("requests.", StringComparison.Ordinal) && !NameValidation.IsQualifiedName(name, "n").Any());
}

using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Patching;

namespace Orchestrator.Domain.Resources;

public sealed partial record ResourceState
{
    public Decision Patch(PatchType type, JsonNode patch, Subresource subresource, DecisionContext context, string change = "patched")
    {
        if (Current is null) return Decision.Refuse(ApiError.NotFound(Kind, Key.Name));
        return GuardPatch(() =>
        {
            var original = Visible!;
            JsonNode? patched = type switch
            {
                PatchType.Merge => JsonMergePatch.Apply(original, patch),
                PatchType.Strategic => patch is JsonObject p
                    ? StrategicMergePatch.Apply(original, p, Kind.Kind)
                    : throw new PatchException("a strategic merge patch must be a JSON object"),
                PatchType.Json => JsonPatch.Apply(original, patch),
                _ => throw new PatchException($"unsupported patch type {type}"),
            };
            if (patched is not JsonObject result) return Decision.Refuse(ApiError.BadRequest("the patch did not produce an object"));
            // A resourceVersion in the patch is a precondition; without one the patch applies to the current version.
            // (A metadata that is not an object is left for Replace to refuse, not replaced by an empty one.)
            if (patch is JsonObject po && (po["metadata"] as JsonObject)?["resourceVersion"] is null && result["metadata"] is null or JsonObject)
                result.Metadata()["resourceVersion"] = ResourceVersion.ToString(CultureInfo.InvariantCulture);
            return Replace(result, subresource, context, change);
        });
    }

    private static Decision GuardPatch(Func<Decision> decide)
    {
        try
        {
            return decide();
        }
        catch (PatchException e)
        {
            return Decision.Refuse(new ApiError(422, "Invalid", e.Message));
        }
        catch (ApiErrorException e)
        {
            return Decision.Refuse(e.Error);
        }
    }
}

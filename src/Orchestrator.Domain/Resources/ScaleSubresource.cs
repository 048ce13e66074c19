using System.Text.Json.Nodes;
using Orchestrator.Domain.Patching;
using Orchestrator.Domain.Selectors;

namespace Orchestrator.Domain.Resources;

/// <summary>
/// The <c>scale</c> subresource of the kinds that have one (<see cref="ResourceKind.HasScaleSubresource"/>):
/// an <c>autoscaling/v1</c> <c>Scale</c> read from the object, and an update of it (a new Scale, or a
/// patch of the current one) turned into the merge patch of the object's <c>spec.replicas</c>, as
/// kubectl scale and autoscalers use it.
/// </summary>
public static class ScaleSubresource
{
    /// <summary>The Scale of <paramref name="obj"/>: its replicas (spec and status) and its selector as a string.</summary>
    public static JsonObject Of(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var meta = obj.Metadata();
        string selector;
        try
        {
            selector = obj["spec"]?["selector"] is JsonObject s ? LabelSelector.FromLabelSelector(s).ToString() : "";
        }
        catch (SelectorParseException)
        {
            selector = "";
        }
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = meta["name"]?.DeepClone(),
                ["namespace"] = meta["namespace"]?.DeepClone(),
                ["uid"] = meta["uid"]?.DeepClone(),
                ["resourceVersion"] = meta["resourceVersion"]?.DeepClone(),
                ["creationTimestamp"] = meta["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = obj["spec"]?["replicas"]?.DeepClone() ?? 0 },
            ["status"] = new JsonObject { ["replicas"] = obj["status"]?["replicas"]?.DeepClone() ?? 0, ["selector"] = selector },
        };
    }

    /// <summary>
    /// The Scale a patch asks for: a JSON patch applies as such, a merge or strategic merge patch as
    /// a merge patch (a Scale has no list to merge by key). A patch that cannot apply is 422 Invalid,
    /// as for any other patch.
    /// </summary>
    public static JsonNode? Patched(JsonObject obj, PatchType type, JsonNode? patch)
    {
        var current = Of(obj);
        try
        {
            return type == PatchType.Json ? JsonPatch.Apply(current, patch) : JsonMergePatch.Apply(current, patch);
        }
        catch (PatchException e)
        {
            throw new ApiErrorException(new ApiError(422, "Invalid", e.Message));
        }
    }

    /// <summary>
    /// The merge patch of the object that a desired Scale stands for: <c>spec.replicas</c>, and its
    /// resourceVersion as a precondition when it has one. Replicas missing or negative are 422
    /// naming <c>spec.replicas</c>.
    /// </summary>
    public static JsonObject UpdatePatch(ResourceKind kind, string name, JsonNode? desired)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var replicas = desired?["spec"]?["replicas"].GetLong() ?? -1;
        if (replicas < 0)
            throw new ApiErrorException(ApiError.Invalid(kind, name, [new ApiErrorCause("FieldValueInvalid", "Invalid value: must be greater than or equal to 0", "spec.replicas")]));
        var patch = new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } };
        if (desired?["metadata"]?["resourceVersion"] is JsonValue rv)
            patch["metadata"] = new JsonObject { ["resourceVersion"] = rv.DeepClone() };
        return patch;
    }
}

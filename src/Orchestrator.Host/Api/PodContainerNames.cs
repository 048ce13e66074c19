using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Host.Api;

/// <summary>The container a logs, exec or attach request names, checked as the API server checks it.</summary>
internal static class PodContainerNames
{
    /// <summary>
    /// <paramref name="container"/> when it is one of the pod's containers or init containers; the
    /// only container when none is named; otherwise a 400 with the API server's message.
    /// </summary>
    public static string Resolve(JsonObject pod, string name, string? container)
    {
        var containers = Names(pod, "containers");
        var inits = Names(pod, "initContainers");
        if (string.IsNullOrEmpty(container))
        {
            if (containers.Count == 1) return containers[0];
            var initText = inits.Count > 0 ? $" or one of the init containers: [{string.Join(" ", inits)}]" : "";
            throw new ApiErrorException(ApiError.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(" ", containers)}]{initText}"));
        }
        return containers.Contains(container) || inits.Contains(container)
            ? container
            : throw new ApiErrorException(ApiError.BadRequest($"container {container} is not valid for pod {name}"));
    }

    private static List<string> Names(JsonObject pod, string list) =>
        (pod["spec"]?[list] as JsonArray ?? []).OfType<JsonObject>().Select(c => c.GetString("name") ?? "").ToList();
}

using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Pods;

/// <summary>
/// The STATUS and RESTARTS columns of <c>kubectl get pods</c>, by the rules of Kubernetes' table
/// printer (<c>printPod</c> in pkg/printers/internalversion): while an init container is not done
/// the status is <c>Init:i/n</c>, <c>Init:&lt;waiting reason&gt;</c> or <c>Init:&lt;terminated
/// reason&gt;</c> and the restarts are the init containers'; afterwards the last app container
/// with a waiting or terminated reason names it, else the pod's reason or phase.
/// </summary>
public static class PodPrinter
{
    /// <summary>The STATUS column and the restart count the RESTARTS column shows.</summary>
    public static (string Status, long Restarts) Print(JsonObject pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var status = pod["status"] as JsonObject;
        var reason = status.GetString("reason") ?? status.GetString("phase") ?? "Pending";
        long restarts = 0;
        var initCount = (pod["spec"]?["initContainers"] as JsonArray)?.Count ?? 0;
        var initializing = false;
        var inits = Statuses(status, "initContainerStatuses");
        for (var i = 0; i < inits.Count; i++)
        {
            var container = inits[i];
            restarts += container["restartCount"].GetLong() ?? 0;
            var terminated = container["state"]?["terminated"] as JsonObject;
            var waiting = container["state"]?["waiting"] as JsonObject;
            if (terminated is not null && (terminated["exitCode"].GetLong() ?? 0) == 0) continue;
            initializing = true;
            if (terminated is not null)
                reason = terminated.GetString("reason") is { Length: > 0 } r ? "Init:" + r : ExitText("Init:", terminated);
            else if (waiting.GetString("reason") is { Length: > 0 } w && w != "PodInitializing")
                reason = "Init:" + w;
            else
                reason = $"Init:{i}/{initCount}";
            break;
        }

        if (!initializing || ConditionTrue(status, "Initialized"))
        {
            restarts = 0;
            var hasRunning = false;
            var containers = Statuses(status, "containerStatuses");
            for (var i = containers.Count - 1; i >= 0; i--)
            {
                var container = containers[i];
                restarts += container["restartCount"].GetLong() ?? 0;
                var terminated = container["state"]?["terminated"] as JsonObject;
                if (container["state"]?["waiting"].AsObjectOrNull().GetString("reason") is { Length: > 0 } w) reason = w;
                else if (terminated is not null) reason = terminated.GetString("reason") is { Length: > 0 } r ? r : ExitText("", terminated);
                else if (container["ready"] is JsonValue v && v.TryGetValue<bool>(out var ready) && ready && container["state"]?["running"] is not null) hasRunning = true;
            }
            // A pod with a container that completed and one still running is Running (or NotReady).
            if (reason == "Completed" && hasRunning) reason = ConditionTrue(status, "Ready") ? "Running" : "NotReady";
        }

        if (pod.IsDeleting()) reason = status.GetString("reason") == "NodeLost" ? "Unknown" : "Terminating";
        return (reason, restarts);
    }

    private static List<JsonObject> Statuses(JsonObject? status, string field) =>
        (status?[field] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];

    private static string ExitText(string prefix, JsonObject terminated) =>
        terminated["signal"].GetLong() is { } signal and not 0
            ? $"{prefix}Signal:{signal}"
            : $"{prefix}ExitCode:{terminated["exitCode"].GetLong() ?? 0}";

    private static bool ConditionTrue(JsonObject? status, string type) =>
        Statuses(status, "conditions").Any(c => c.GetString("type") == type && c.GetString("status") == "True");
}

using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Controllers;

/// <summary>The Deployment's status: replica counts and the Available and Progressing conditions (with the progress deadline), and whether it changed.</summary>
public static partial class DeploymentReconciler
{
    private static (JsonObject Status, TimeSpan? Recheck) Status(JsonObject deployment, List<RsState> state, RsState? newRs, int desired, int maxUnavailable,
        bool paused, bool createdNew, bool acting, DateTimeOffset now)
    {
        var replicas = state.Sum(s => s.StatusReplicas);
        var updated = newRs?.StatusReplicas ?? 0;
        var ready = state.Sum(s => s.Ready);
        var available = state.Sum(s => s.Available);
        var previous = deployment["status"] as JsonObject;
        var conditions = (previous?["conditions"] as JsonArray)?.OfType<JsonObject>().Select(c => (JsonObject)c.DeepClone()).ToList() ?? [];
        var time = ObjectMeta.FormatTime(now);

        void Set(string type, string status, string reason, string message)
        {
            var existing = conditions.FirstOrDefault(c => c.GetString("type") == type);
            if (existing is not null && existing.GetString("status") == status && existing.GetString("reason") == reason && existing.GetString("message") == message) return;
            var transition = existing is not null && existing.GetString("status") == status ? existing.GetString("lastTransitionTime") ?? time : time;
            conditions.Remove(existing!);
            conditions.Add(new JsonObject
            {
                ["type"] = type,
                ["status"] = status,
                ["lastUpdateTime"] = time,
                ["lastTransitionTime"] = transition,
                ["reason"] = reason,
                ["message"] = message,
            });
        }

        if (available >= desired - maxUnavailable) Set("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.");
        else Set("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.");

        TimeSpan? recheck = null;
        var deadline = PodHelpers.Int(deployment["spec"]?["progressDeadlineSeconds"], 600);
        var rsName = newRs?.Name ?? "";
        var complete = newRs is not null && updated == desired && replicas == desired && available == desired && newRs.Spec == desired;
        var progressed = previous is null
            || previous["updatedReplicas"].GetLong() != updated || previous["readyReplicas"].GetLong() != ready
            || previous["availableReplicas"].GetLong() != available || previous["replicas"].GetLong() != replicas;
        var progressing = conditions.FirstOrDefault(c => c.GetString("type") == "Progressing");
        if (paused)
        {
            Set("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused");
        }
        else if (complete)
        {
            Set("Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{rsName}\" has successfully progressed.");
        }
        else if (createdNew)
        {
            Set("Progressing", "True", "NewReplicaSetCreated", $"Created new replica set \"{rsName}\"");
            recheck = TimeSpan.FromSeconds(deadline);
        }
        else if (acting || progressed || progressing is null || progressing.GetString("reason") is "DeploymentPaused" or "NewReplicaSetAvailable" or "DeploymentResumed")
        {
            var reason = progressing?.GetString("reason") == "DeploymentPaused" ? "DeploymentResumed" : "ReplicaSetUpdated";
            var message = reason == "DeploymentResumed" ? "Deployment is resumed" : $"ReplicaSet \"{rsName}\" is progressing.";
            // Progress refreshes lastUpdateTime even when reason and message stay.
            conditions.RemoveAll(c => c.GetString("type") == "Progressing" && (c.GetString("reason") != reason || progressed || acting));
            Set("Progressing", "True", reason, message);
            recheck = TimeSpan.FromSeconds(deadline);
        }
        else if (progressing.GetString("reason") != "ProgressDeadlineExceeded")
        {
            var since = DateTimeOffset.TryParse(progressing.GetString("lastUpdateTime"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : now;
            if (since.AddSeconds(deadline) <= now) Set("Progressing", "False", "ProgressDeadlineExceeded", $"ReplicaSet \"{rsName}\" has timed out progressing.");
            else recheck = since.AddSeconds(deadline) - now + TimeSpan.FromMilliseconds(100);
        }

        var status = new JsonObject
        {
            ["observedGeneration"] = deployment.Generation(),
            ["replicas"] = replicas,
            ["updatedReplicas"] = updated,
            ["readyReplicas"] = ready,
            ["availableReplicas"] = available,
            ["unavailableReplicas"] = Math.Max(0, replicas - available),
            ["conditions"] = new JsonArray(conditions.OrderBy(c => c.GetString("type") == "Available" ? 0 : 1).Select(c => (JsonNode)c).ToArray()),
        };
        if (previous?["collisionCount"] is { } cc) status["collisionCount"] = cc.DeepClone();
        return (status, recheck);
    }

    /// <summary>True when the status a plan computed differs from the stored one other than in condition timestamps (a rewrite of the same status is no change).</summary>
    public static bool StatusChanged(JsonObject deployment, JsonObject status)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return !JsonNode.DeepEquals(WithoutTimes(deployment["status"]), WithoutTimes(status));
    }

    private static JsonNode? WithoutTimes(JsonNode? status)
    {
        if (status?.DeepClone() is not JsonObject copy) return null;
        if (copy["conditions"] is JsonArray conditions)
        {
            foreach (var c in conditions.OfType<JsonObject>())
            {
                c.Remove("lastUpdateTime");
                c.Remove("lastTransitionTime");
            }
        }
        return copy;
    }
}

using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Sync;

/// <summary>What the agent knows about one container of a pod after a sync.</summary>
/// <param name="Name">The container's name in the spec.</param>
/// <param name="Image">The image in the spec.</param>
/// <param name="Current">Its latest run on the engine (created, running or exited); null when none exists.</param>
/// <param name="Previous">The run before that (exited), kept for <c>lastState</c> and <c>logs --previous</c>.</param>
/// <param name="WaitingReason">Why the agent holds it back (ErrImagePull, ImagePullBackOff, CrashLoopBackOff, CreateContainerError, RunContainerError, ...); null when it is not held back.</param>
/// <param name="WaitingMessage">The engine's or the agent's message for <paramref name="WaitingReason"/>.</param>
/// <param name="Ready">The readiness verdict (true without a readiness probe); only counts while it runs.</param>
/// <param name="Terminal">It exited and the restart policy does not start it again.</param>
public sealed record ContainerObservation(
    string Name,
    string Image,
    ContainerStatus? Current,
    ContainerStatus? Previous,
    string? WaitingReason,
    string? WaitingMessage,
    bool Ready,
    bool Terminal);

/// <summary>
/// Pure computation of a pod's <c>status</c> from what the agent observed: phase, the four
/// conditions, containerStatuses, podIP and hostIP. Transition times and startTime are carried
/// over from the current status when nothing changed, so an unchanged pod computes an identical
/// status and the agent writes nothing.
/// </summary>
public static class PodStatusBuilder
{
    /// <param name="initContainers">The init containers in spec order (none when null).</param>
    /// <param name="initialized">Every init container ran to success (or the app containers ran already).</param>
    public static JsonObject Build(JsonObject? currentStatus, string? podIp, string? hostIp, IReadOnlyList<ContainerObservation> containers, DateTimeOffset now,
        IReadOnlyList<ContainerObservation>? initContainers = null, bool initialized = true)
    {
        ArgumentNullException.ThrowIfNull(containers);
        var inits = initContainers ?? [];
        var phase = Phase(podIp, containers, inits, initialized);
        var allReady = initialized && containers.Count > 0 && containers.All(c => IsRunning(c) && c.Ready);
        var incomplete = initialized ? null : $"containers with incomplete status: [{string.Join(' ', inits.Where(i => !InitSucceeded(i)).Select(i => i.Name))}]";
        var unready = allReady ? null : $"containers with unready status: [{string.Join(' ', containers.Where(c => !(IsRunning(c) && c.Ready)).Select(c => c.Name))}]";
        var conditions = new JsonArray
        {
            Condition(currentStatus, "PodScheduled", true, now),
            Condition(currentStatus, "Initialized", initialized, now, incomplete is null ? null : "ContainersNotInitialized", incomplete),
            Condition(currentStatus, "ContainersReady", allReady, now, unready is null ? null : "ContainersNotReady", unready),
            Condition(currentStatus, "Ready", allReady, now, unready is null ? null : "ContainersNotReady", unready),
        };
        var status = new JsonObject
        {
            ["phase"] = phase,
            ["conditions"] = conditions,
        };
        if (hostIp is not null)
        {
            status["hostIP"] = hostIp;
            status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = hostIp });
        }
        if (podIp is not null)
        {
            status["podIP"] = podIp;
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = podIp });
        }
        status["startTime"] = currentStatus?["startTime"]?.DeepClone() ?? ObjectMeta.FormatTime(now);
        if (inits.Count > 0) status["initContainerStatuses"] = new JsonArray(inits.Select(InitContainerStatusJson).ToArray<JsonNode?>());
        status["containerStatuses"] = new JsonArray(containers.Select(ContainerStatusJson).ToArray<JsonNode?>());
        return status;
    }

    /// <summary>
    /// Pending until every container has run (or is held back after running), Running while any can
    /// still run, Succeeded/Failed once every container exited for good.
    /// </summary>
    public static string Phase(string? podIp, IReadOnlyList<ContainerObservation> containers,
        IReadOnlyList<ContainerObservation>? initContainers = null, bool initialized = true)
    {
        ArgumentNullException.ThrowIfNull(containers);
        if (!initialized)
            return (initContainers ?? []).Any(i => i.Terminal && !InitSucceeded(i)) ? "Failed" : "Pending";
        if (containers.Count > 0 && containers.All(c => c.Terminal))
            return containers.All(c => c.Current?.ExitCode == 0 && c.Current.Error is null) ? "Succeeded" : "Failed";
        if (podIp is not null && containers.Count > 0 && containers.All(HasRun)) return "Running";
        return "Pending";
    }

    private static bool HasRun(ContainerObservation c) =>
        c.Previous is not null || c.Current is { StartedAt: not null, Error: null } || c.Current is { State: ContainerState.Running } || c.Terminal;

    /// <summary>An init container that ran to success and is not run again.</summary>
    public static bool InitSucceeded(ContainerObservation init) =>
        init.Terminal && init.WaitingReason is null && init.Current is { State: ContainerState.Exited, ExitCode: 0, Error: null };

    private static bool IsRunning(ContainerObservation c) => c.WaitingReason is null && c.Current is { State: ContainerState.Running };

    private static JsonObject Condition(JsonObject? currentStatus, string type, bool value, DateTimeOffset now, string? reason = null, string? message = null)
    {
        var text = value ? "True" : "False";
        var existing = (currentStatus?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c.GetString("type") == type);
        var since = existing is not null && existing.GetString("status") == text && existing["lastTransitionTime"] is { } t
            ? t.DeepClone()
            : ObjectMeta.FormatTime(now);
        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = text,
            ["lastProbeTime"] = null,
            ["lastTransitionTime"] = since,
        };
        if (reason is not null) condition["reason"] = reason;
        if (message is not null) condition["message"] = message;
        return condition;
    }

    /// <summary>An init container's status: as an app container's, ready once it succeeded, never started while it runs.</summary>
    private static JsonObject InitContainerStatusJson(ContainerObservation c)
    {
        var status = ContainerStatusJson(c);
        status["ready"] = InitSucceeded(c);
        status["started"] = false;
        return status;
    }

    private static JsonObject ContainerStatusJson(ContainerObservation c)
    {
        var running = IsRunning(c);
        JsonObject state;
        JsonObject lastState = new();
        if (c.WaitingReason is not null)
        {
            state = Waiting(c.WaitingReason, c.WaitingMessage);
            // A run that exited, or never started (the start's error), is the last state of one held back.
            var last = c.Current is { State: ContainerState.Exited } or { Error.Length: > 0 } ? c.Current : c.Previous;
            if (last is not null) lastState = new JsonObject { ["terminated"] = Terminated(last) };
        }
        else
        {
            state = c.Current switch
            {
                { State: ContainerState.Running, StartedAt: { } started } => new JsonObject { ["running"] = new JsonObject { ["startedAt"] = ObjectMeta.FormatTime(started) } },
                { State: ContainerState.Exited } exited => new JsonObject { ["terminated"] = Terminated(exited) },
                { Error.Length: > 0 } neverStarted => new JsonObject { ["terminated"] = Terminated(neverStarted) },
                _ => Waiting("ContainerCreating", null),
            };
            if (c.Previous is not null) lastState = new JsonObject { ["terminated"] = Terminated(c.Previous) };
        }
        var status = new JsonObject
        {
            ["name"] = c.Name,
            ["state"] = state,
            ["lastState"] = lastState,
            ["ready"] = running && c.Ready,
            ["restartCount"] = c.Current?.RestartCount ?? c.Previous?.RestartCount ?? 0,
            ["image"] = c.Image,
            ["imageID"] = "",
            ["started"] = running,
        };
        if (c.Current is not null) status["containerID"] = "docker://" + c.Current.Id;
        return status;
    }

    private static JsonObject Waiting(string reason, string? message)
    {
        var waiting = new JsonObject { ["reason"] = reason };
        if (!string.IsNullOrEmpty(message)) waiting["message"] = message;
        return new JsonObject { ["waiting"] = waiting };
    }

    private static JsonObject Terminated(ContainerStatus run)
    {
        // A container that never started (e.g. its command was not found) reports the engine's error.
        var neverStarted = run.Error is { Length: > 0 };
        var terminated = new JsonObject
        {
            ["exitCode"] = neverStarted && run.ExitCode == 0 ? 128 : run.ExitCode,
            ["reason"] = neverStarted ? "StartError" : run.TerminationReason ?? "Error",
            ["containerID"] = "docker://" + run.Id,
        };
        if (neverStarted) terminated["message"] = run.Error;
        if (run.StartedAt is { } started) terminated["startedAt"] = ObjectMeta.FormatTime(started);
        if (run.FinishedAt is { } finished) terminated["finishedAt"] = ObjectMeta.FormatTime(finished);
        return terminated;
    }
}

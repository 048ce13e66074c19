using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Orchestrator.Domain.NodeAgent;
using Orchestrator.NodeAgent.Probes;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Sync;

/// <summary>The probes part of a sync: liveness and readiness of running containers.</summary>
public sealed partial class PodSyncer
{
    private static DateTimeOffset? ProbeStart(V1Container container, ContainerStatus started)
    {
        var delays = new[] { container.LivenessProbe, container.ReadinessProbe }.Where(p => p is not null)
            .Select(p => (started.StartedAt ?? started.CreatedAt) + TimeSpan.FromSeconds(p!.InitialDelaySeconds ?? 0)).ToList();
        return delays.Count == 0 ? null : delays.Min();
    }

    /// <summary>Runs the due probes of a running container; kills it when liveness failed. Returns readiness, whether it was killed, and when probes are next due.</summary>
    private async Task<(bool Ready, bool Killed, DateTimeOffset? Wake)> Probe(
        JsonObject pod, V1Pod typed, V1Container container, ContainerStatus current, PodSandbox sandbox, ContainerMemory memory, DateTimeOffset now, CancellationToken ct)
    {
        if (memory.ProbedId != current.Id)
        {
            memory.ProbedId = current.Id;
            memory.Liveness = container.LivenessProbe is { } l ? ProbeState.Initial(ProbeKind.Liveness, Prober.SettingsOf(l)) : null;
            memory.Readiness = container.ReadinessProbe is { } r ? ProbeState.Initial(ProbeKind.Readiness, Prober.SettingsOf(r)) : null;
        }
        var startedAt = current.StartedAt ?? current.CreatedAt;
        DateTimeOffset? wake = null;
        if (memory.Liveness is { } liveness)
        {
            if (liveness.IsDue(startedAt, now))
            {
                var (ok, output) = await _prober.RunAsync(container.LivenessProbe!, container, current.Id, sandbox.PodIp, ct);
                if (!ok) _events.Warning(pod, container.Name, "Unhealthy", $"Liveness probe failed: {output}");
                memory.Liveness = liveness = liveness.Record(ok, _time.GetUtcNow());
                if (liveness.Result == ProbeResult.Failure)
                {
                    var grace = TimeSpan.FromSeconds(container.LivenessProbe!.TerminationGracePeriodSeconds ?? typed.Spec.TerminationGracePeriodSeconds ?? 30);
                    _log.LogInformation("container {Container} of pod {Pod} failed its liveness probe, restarting it", container.Name, current.Pod);
                    _events.Normal(pod, container.Name, "Killing", $"Container {container.Name} failed liveness probe, will be restarted");
                    await _runtime.StopContainerAsync(current.Id, grace, ct);
                    return (false, true, null);
                }
            }
            wake = Earliest(wake, liveness.NextProbeAt(startedAt));
        }
        var ready = true;
        if (memory.Readiness is { } readiness)
        {
            if (readiness.IsDue(startedAt, now))
            {
                var (ok, output) = await _prober.RunAsync(container.ReadinessProbe!, container, current.Id, sandbox.PodIp, ct);
                if (!ok) _events.Warning(pod, container.Name, "Unhealthy", $"Readiness probe failed: {output}");
                memory.Readiness = readiness = readiness.Record(ok, _time.GetUtcNow());
            }
            ready = readiness.Result == ProbeResult.Success;
            wake = Earliest(wake, readiness.NextProbeAt(startedAt));
        }
        return (ready, false, wake);
    }
}

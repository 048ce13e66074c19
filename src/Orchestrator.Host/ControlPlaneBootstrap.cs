using Akka.Actor;
using Orchestrator.Cluster.Hosting;
using Orchestrator.Cluster.Resources;

namespace Orchestrator.Host;

/// <summary>
/// Once this member is Up in the cluster, makes sure the built-in namespaces exist, then reports
/// the node ready (<c>/readyz</c>). Retries until it succeeds or the node stops.
/// </summary>
internal sealed class ControlPlaneBootstrap(ActorSystem system, ResourceStore store, ILogger<ControlPlaneBootstrap> log) : BackgroundService
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => _ready.Task.IsCompleted;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ControlPlane.EnsureBuiltInNamespaces(store, stoppingToken);
                _ready.TrySetResult();
                log.LogInformation("control plane ready");
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("control plane not ready yet: {Message}", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }
}

using System.Diagnostics;
using Orchestrator.Runtime;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.Runtime.Tests;

/// <summary>
/// Measures what a pod start costs through the runtime, for the node agent's expectations. Reports
/// medians; asserts only that nothing is absurdly slow (the engine is shared and timings vary).
/// </summary>
public sealed class TimingTests(ITestOutputHelper output) : RuntimeTestBase(output)
{
    [DockerFact]
    public async Task Sandbox_and_container_create_and_start_times()
    {
        const int pods = 6;
        using var configuration = new Docker.DotNet.DockerClientConfiguration(DockerRuntimeOptions.FromEnvironment(NodeName).Endpoint);
        using var raw = configuration.CreateClient();
        var rawStartTimes = new List<TimeSpan>();
        var sandboxTimes = new List<TimeSpan>();
        var createTimes = new List<TimeSpan>();
        var startTimes = new List<TimeSpan>();
        var stopTimes = new List<TimeSpan>();
        var removeTimes = new List<TimeSpan>();
        for (var i = 0; i < pods; i++)
        {
            var watch = Stopwatch.StartNew();
            var sandbox = await RunSandboxAsync(NewPod($"timing-{i}"));
            sandboxTimes.Add(watch.Elapsed);

            watch.Restart();
            var id = await Runtime.CreateContainerAsync(sandbox, new ContainerConfig("main", Busybox, Command: ["sleep", "3600"]), Ct);
            createTimes.Add(watch.Elapsed);

            // Every other pod is started with the bare engine call, to see what the command check costs.
            watch.Restart();
            if (i % 2 == 0)
            {
                await Runtime.StartContainerAsync(id, Ct);
                startTimes.Add(watch.Elapsed);
            }
            else
            {
                await raw.Containers.StartContainerAsync(id, new Docker.DotNet.Models.ContainerStartParameters(), Ct);
                rawStartTimes.Add(watch.Elapsed);
            }

            watch.Restart();
            await Runtime.StopContainerAsync(id, TimeSpan.FromSeconds(10), Ct);
            stopTimes.Add(watch.Elapsed);

            watch.Restart();
            await Runtime.RemovePodSandboxAsync(sandbox.Id, Ct);
            removeTimes.Add(watch.Elapsed);
        }

        static string Median(List<TimeSpan> times) => $"{times.Order().ElementAt(times.Count / 2).TotalMilliseconds:F0} ms";
        Output.WriteLine($"median of {pods} pods, one after another: sandbox create+start+inspect {Median(sandboxTimes)}; " +
                         $"app create {Median(createTimes)}, start {Median(startTimes)} (bare engine start {Median(rawStartTimes)}), " +
                         $"stop (init forwards SIGTERM to sleep) {Median(stopTimes)}, remove pod {Median(removeTimes)}");
        Assert.All(sandboxTimes.Concat(createTimes).Concat(startTimes).Concat(rawStartTimes).Concat(stopTimes), t => Assert.True(t < TimeSpan.FromSeconds(10), $"took {t}"));
    }
}

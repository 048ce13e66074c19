using System.Text.Json.Nodes;
using Orchestrator.TestSupport;

namespace Orchestrator.Host.Tests;

/// <summary>
/// ClusterIP and NodePort allocation with two members writing to one PostgreSQL journal: Services
/// created through both APIs at the same time never share a value, and of two Services asking for
/// the same clusterIP at once exactly one gets it.
/// </summary>
public sealed class ServiceAllocationClusterTests
{
    [ClusterFact]
    public async Task Two_members_on_one_journal_never_hand_out_the_same_address()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var environment = new Dictionary<string, string> { ["ORCHESTRATOR_NODE_AGENT"] = "off" };
        await using var first = NodeProcess.LaunchMember(database.ConnectionString, null, environment);
        await first.WaitReadyAsync(TimeSpan.FromMinutes(4));
        await using var second = NodeProcess.LaunchMember(database.ConnectionString, first, environment);
        await second.WaitReadyAsync(TimeSpan.FromMinutes(4));
        var kubectls = new[] { new Kubectl(first.Server), new Kubectl(second.Server) };

        const int perMember = 8;
        var creates = Enumerable.Range(0, perMember * 2).Select(i =>
            kubectls[i % 2].RunAsync($"create service nodeport race-{i} --tcp=80:8080", timeout: TimeSpan.FromSeconds(120)));
        foreach (var result in await Task.WhenAll(creates)) result.EnsureSuccess();

        var list = JsonNode.Parse((await kubectls[0].RunAsync("get svc -o json")).EnsureSuccess().Stdout)!["items"]!.AsArray()
            .Where(s => s!["metadata"]!["name"]!.GetValue<string>().StartsWith("race-", StringComparison.Ordinal)).ToList();
        Assert.Equal(perMember * 2, list.Count);
        var ips = list.Select(s => s!["spec"]!["clusterIP"]!.GetValue<string>()).ToList();
        var ports = list.Select(s => s!["spec"]!["ports"]![0]!["nodePort"]!.GetValue<long>()).ToList();
        Assert.Equal(ips.Count, ips.Distinct().Count());
        Assert.Equal(ports.Count, ports.Distinct().Count());

        // The same clusterIP asked for through both members at once: one Service gets it, the other a 422.
        var wanted = "10.96.250.250";
        string Manifest(string name) => $"""
            apiVersion: v1
            kind: Service
            metadata:
              name: {name}
            spec:
              clusterIP: {wanted}
              ports:
              - port: 80
            """;
        var both = await Task.WhenAll(kubectls[0].RunAsync("create -f -", Manifest("want-a")), kubectls[1].RunAsync("create -f -", Manifest("want-b")));
        Assert.Single(both, r => r.ExitCode == 0);
        var loser = Assert.Single(both, r => r.ExitCode != 0);
        Assert.Contains($"spec.clusterIP: Invalid value: \"{wanted}\": provided IP is already allocated", loser.Stderr);
    }
}

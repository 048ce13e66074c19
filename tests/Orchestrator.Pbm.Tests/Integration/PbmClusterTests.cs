using System.Text.Json;
using Akka.Actor;
using Orchestrator.CommandHost;
using Orchestrator.CommandHost.Palettes.Cluster;
using Orchestrator.CommandHost.Protocol;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.Pbm.Tests.Integration;

/// <summary>The real pbm binary against the command host of a real one-node cluster.</summary>
[Collection(SingleNodeClusterGroup.Name)]
public sealed class PbmClusterTests(SingleNodeCluster cluster, ITestOutputHelper output)
{
    private async Task<PbmResult> Pbm(params string[] words)
    {
        var result = await PbmProcess.RunAsync([cluster.Endpoint, .. words]);
        output.WriteLine($"$ pbm {cluster.Endpoint} {string.Join(" ", words)}\n{result}");
        return result;
    }

    [Fact]
    public async Task Help_lists_the_palettes_the_host_sent()
    {
        var result = await Pbm("help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Usage: pbm [host:port] <palette> <command>", result.StandardOutput, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^cluster\s+Akka\.NET cluster membership", result.StandardOutput);
        Assert.Matches(@"(?m)^cluster-sharding\s+Akka\.Cluster\.Sharding", result.StandardOutput);
    }

    [Fact]
    public async Task Help_for_a_command_shows_its_switches()
    {
        var result = await Pbm("cluster", "down", "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Usage: pbm [host:port] cluster down -a|--address <value>", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("[mutating: needs the token]", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_show_lists_this_node_as_leader()
    {
        var result = await Pbm("cluster", "show");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StandardOutput.Split('\n');
        Assert.Matches(@"^ADDRESS\s+ROLES\s+STATUS\s+REACHABILITY\s+NOTES$", lines[0]);
        Assert.Contains(lines, line => System.Text.RegularExpressions.Regex.IsMatch(line,
            $@"^{System.Text.RegularExpressions.Regex.Escape(cluster.SelfAddress)}\s+\[pbm-test\]\s+up\s+reachable\s+leader, self$"));
    }

    [Fact]
    public async Task Cluster_show_as_json_is_a_document()
    {
        var result = await Pbm("cluster", "show", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.StandardOutput);
        var member = Assert.Single(document.RootElement.EnumerateArray(), m => m.GetProperty("address").GetString() == cluster.SelfAddress);
        Assert.Equal("up", member.GetProperty("status").GetString());
        Assert.True(member.GetProperty("isLeader").GetBoolean());
    }

    [Fact]
    public async Task Cluster_status_shows_this_node()
    {
        var result = await Pbm("cluster", "status");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches($@"(?m)^Node\s+{System.Text.RegularExpressions.Regex.Escape(cluster.SelfAddress)}$", result.StandardOutput);
        Assert.Matches(@"(?m)^Status\s+up$", result.StandardOutput);
        Assert.Matches(@"(?m)^Unreachable\s+0$", result.StandardOutput);
    }

    [Fact]
    public async Task Cluster_sbr_shows_the_settings_and_the_keep_majority_view()
    {
        var result = await Pbm("cluster", "sbr");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"(?m)^active-strategy\s+keep-majority$", result.StandardOutput);
        Assert.Matches(@"(?m)^Resolver active\s+yes$", result.StandardOutput);
        Assert.Matches(@"(?m)^Keep-majority decision\s+no-partition$", result.StandardOutput);
    }

    [Fact]
    public async Task Cluster_tail_streams_events_until_ctrl_c()
    {
        await using var tail = PbmProcess.Start([cluster.Endpoint, "cluster", "tail"]);
        await tail.WaitForLineAsync(line => line.Contains($"MemberUp {cluster.SelfAddress}", StringComparison.Ordinal), SingleNodeCluster.Timeout);

        // A second node joins: its events must stream to the running tail.
        var second = ActorSystem.Create("pbm-test", SingleNodeCluster.ClusterConfig("[second]"));
        try
        {
            var secondCluster = Akka.Cluster.Cluster.Get(second);
            secondCluster.Join(Akka.Cluster.Cluster.Get(cluster.System).SelfAddress);
            await tail.WaitForLineAsync(line => line.Contains($"MemberUp {secondCluster.SelfAddress}", StringComparison.Ordinal), SingleNodeCluster.Timeout);

            await tail.InterruptAsync();
            var result = await tail.WaitForExitAsync(SingleNodeCluster.Timeout);

            Assert.True(result.ExitCode == ExitCodes.Cancelled, result.ToString());
            Assert.Contains("'cluster tail' cancelled", result.StandardError, StringComparison.Ordinal);
            // pbm exits once the host confirmed the cancel, and the host counts the command out before confirming.
            Assert.Equal(0, cluster.Host.ActiveCommandCount);

            await secondCluster.LeaveAsync().WaitAsync(SingleNodeCluster.Timeout);
        }
        finally
        {
            await second.Terminate().WaitAsync(SingleNodeCluster.Timeout);
        }
    }

    [Fact]
    public async Task Sharding_regions_lists_the_test_region()
    {
        var result = await Pbm("cluster-sharding", "regions");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(SingleNodeCluster.TestRegion, result.StandardOutput.Split('\n'));
    }

    [Fact]
    public async Task Shard_stats_counts_the_entities_per_member()
    {
        var result = await Pbm("cluster-sharding", "shard-stats", "-r", SingleNodeCluster.TestRegion);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"Shard region [{SingleNodeCluster.TestRegion}]: 1 members,", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"{SingleNodeCluster.TestEntities.Length} entities", result.StandardOutput, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^{System.Text.RegularExpressions.Regex.Escape(cluster.SelfAddress)}\s+\S+\s+\d+$", result.StandardOutput);
    }

    [Fact]
    public async Task Region_stats_lists_shards_and_entity_ids()
    {
        var result = await Pbm("cluster-sharding", "region-stats", "--region", SingleNodeCluster.TestRegion, "-v", "-o", "table");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"{SingleNodeCluster.TestEntities.Length} entities", result.StandardOutput, StringComparison.Ordinal);
        Assert.All(SingleNodeCluster.TestEntities, entity => Assert.Contains(entity, result.StandardOutput, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Shard_stats_as_json_has_the_counts()
    {
        var result = await Pbm("cluster-sharding", "shard-stats", "-r", SingleNodeCluster.TestRegion, "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.StandardOutput);
        var total = document.RootElement.GetProperty("members").EnumerateArray()
            .SelectMany(m => m.GetProperty("shards").EnumerateArray())
            .Sum(s => s.GetProperty("entityCount").GetInt32());
        Assert.Equal(SingleNodeCluster.TestEntities.Length, total);
    }

    [Fact]
    public async Task An_unknown_region_names_the_known_ones()
    {
        var result = await Pbm("cluster-sharding", "shard-stats", "-r", "nope");

        Assert.True(result.ExitCode == ExitCodes.UsageError, result.ToString());
        Assert.Contains($"no shard region 'nope' on this node. Regions: {SingleNodeCluster.TestRegion}.", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_palette_lists_the_known_ones()
    {
        var result = await Pbm("nope", "show");

        Assert.True(result.ExitCode == ExitCodes.UsageError, result.ToString());
        Assert.Contains("pbm: unknown palette 'nope'. Known palettes: cluster, cluster-sharding.", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_command_lists_the_palette_commands()
    {
        var result = await Pbm("cluster", "nope");

        Assert.True(result.ExitCode == ExitCodes.UsageError, result.ToString());
        Assert.Contains("pbm: palette 'cluster' has no command 'nope'. Its commands: show, status, leave, down, join, down-unreachable, tail, sbr.",
            result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_required_switch_is_a_usage_error()
    {
        var result = await Pbm("cluster", "down");

        Assert.True(result.ExitCode == ExitCodes.UsageError, result.ToString());
        Assert.Contains("Usage: cluster down -a|--address <value>", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Down_of_something_that_is_no_member_changes_nothing_and_says_why()
    {
        var result = await Pbm("cluster", "down", "-a", "10.9.9.9:1");

        Assert.True(result.ExitCode == ExitCodes.UsageError, result.ToString());
        // The console wraps long lines where the random port makes them break: compare with whitespace folded.
        var stderr = System.Text.RegularExpressions.Regex.Replace(result.StandardError, @"\s+", " ");
        Assert.Contains("is neither a full address nor the host:port of one member. Members: ", stderr, StringComparison.Ordinal);
        // Members are listed in address order; other specs' members may be up at the same time.
        Assert.Contains(cluster.SelfAddress.ToString(), stderr[stderr.IndexOf("Members: ", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Down_unreachable_with_everyone_reachable_does_nothing()
    {
        var result = await Pbm("cluster", "down-unreachable");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("No member is unreachable; nothing to down.", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_prompt_runs_lines_from_redirected_input()
    {
        var result = await PbmProcess.RunAsync([cluster.Endpoint],
            input: "help cluster\ncluster status\n\nclustr show\nhistory\nexit\ncluster show\n");

        var prompt = $"[{cluster.Endpoint}] pbm> ";
        Assert.True(result.ExitCode == ExitCodes.UsageError, result.ToString()); // the failing 'clustr show' is remembered
        Assert.Contains($"Connected to {cluster.SelfAddress} at {cluster.Endpoint}", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(prompt + "cluster status", result.StandardOutput, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^Status\s+up$", result.StandardOutput);
        Assert.Matches(@"(?m)^show\s+Lists the members", result.StandardOutput);
        Assert.Contains("unknown palette 'clustr'", result.StandardError, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\s+2  cluster status$", result.StandardOutput);
        Assert.DoesNotContain("ADDRESS", result.StandardOutput, StringComparison.Ordinal); // nothing runs after exit
    }

    [Fact]
    public async Task Connection_refused_names_the_address_tried()
    {
        var port = FreePorts.Next();

        var result = await PbmProcess.RunAsync([$"127.0.0.1:{port}", "cluster", "show"]);

        Assert.True(result.ExitCode == ExitCodes.HostUnavailable, result.ToString());
        Assert.Contains($"could not connect to a command host at 127.0.0.1:{port}: connection refused", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_beyond_loopback_refuses_commands_without_the_right_token()
    {
        const string token = "correct-horse-battery-staple";
        await using var exposed = new CommandHostServer(
            new CommandHostSettings("0.0.0.0", 0, "").WithToken(token),
            [new ClusterPalette(cluster.System)],
            cluster.SelfAddress);
        await exposed.StartAsync();
        var endpoint = $"127.0.0.1:{exposed.BoundEndpoint!.Port}";
        var withToken = new Dictionary<string, string> { ["ORCHESTRATOR_TOKEN"] = token };

        var mutatingWithout = await PbmProcess.RunAsync([endpoint, "cluster", "down-unreachable"]);
        var readWithout = await PbmProcess.RunAsync([endpoint, "cluster", "show"]);
        var wrong = await PbmProcess.RunAsync([endpoint, "cluster", "down-unreachable"],
            environment: new Dictionary<string, string> { ["ORCHESTRATOR_TOKEN"] = "guess" });
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, token + "\n");
        PbmResult right;
        try
        {
            right = await PbmProcess.RunAsync([endpoint, "cluster", "down-unreachable"],
                environment: new Dictionary<string, string> { ["ORCHESTRATOR_TOKEN_FILE"] = tokenFile });
        }
        finally
        {
            File.Delete(tokenFile);
        }
        var read = await PbmProcess.RunAsync([endpoint, "cluster", "status"], environment: withToken);

        Assert.True(mutatingWithout.ExitCode == ExitCodes.NotAuthorized, mutatingWithout.ToString());
        Assert.Contains("'cluster down-unreachable' refused", mutatingWithout.StandardError, StringComparison.Ordinal);
        Assert.Contains("Set ORCHESTRATOR_TOKEN", mutatingWithout.StandardError, StringComparison.Ordinal);
        Assert.True(readWithout.ExitCode == ExitCodes.NotAuthorized, readWithout.ToString());
        Assert.True(wrong.ExitCode == ExitCodes.NotAuthorized, wrong.ToString());
        Assert.Contains("not this node's token", wrong.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("guess", wrong.StandardError, StringComparison.Ordinal);
        Assert.True(right.ExitCode == 0, right.ToString());
        Assert.Contains("No member is unreachable", right.StandardOutput, StringComparison.Ordinal);
        Assert.True(read.ExitCode == 0, read.ToString());
    }
}

using System.Globalization;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Orchestrator.CommandHost.Protocol;

namespace Orchestrator.CommandHost.Palettes.Cluster;

/// <summary>
/// <c>cluster</c>: membership of the Akka.NET cluster this node belongs to — show, status,
/// leave, down, join, down-unreachable, tail (streaming) and sbr (split-brain resolver).
/// </summary>
public sealed class ClusterPalette : CommandPalette
{
    private static readonly SwitchDefinition AddressSwitch = new(
        "address", "a", "Member address, e.g. akka.tcp://orchestrator@10.0.0.5:4053 (host:port of a member also works).");

    private readonly ActorSystem _system;

    public ClusterPalette(ActorSystem system) : base("cluster", "Akka.NET cluster membership: show, status, leave, down, join, tail, sbr.")
    {
        _system = system ?? throw new ArgumentNullException(nameof(system));
        AddCommand(new CommandDefinition("show", "Lists the members: address, roles, status, reachability, leader.",
            [SwitchDefinition.Output]), ShowAsync);
        AddCommand(new CommandDefinition("status", "This node's membership status, the leader and member counts.",
            [SwitchDefinition.Output]), StatusAsync);
        AddCommand(new CommandDefinition("leave", "Makes a member (this node by default) leave the cluster gracefully.",
            [AddressSwitch with { Description = "Member to leave; this node when omitted. " + AddressSwitch.Description }],
            IsMutating: true), LeaveAsync);
        AddCommand(new CommandDefinition("down", "Marks a member as down (removes it without a handover).",
            [AddressSwitch with { IsRequired = true }], IsMutating: true), DownAsync);
        AddCommand(new CommandDefinition("join", "Makes this node join the cluster of the given seed address.",
            [AddressSwitch with { IsRequired = true, Description = "Full address of a member of the cluster to join." }],
            IsMutating: true), JoinAsync);
        AddCommand(new CommandDefinition("down-unreachable", "Downs every member this node sees as unreachable.",
            [], IsMutating: true), DownUnreachableAsync);
        AddCommand(new CommandDefinition("tail", "Streams membership, reachability and leader events until Ctrl+C.",
            [], IsStreaming: true), TailAsync);
        AddCommand(new CommandDefinition("sbr", "Split-brain resolver settings and what keep-majority would decide now.",
            [SwitchDefinition.Output]), SplitBrainResolverAsync);
    }

    private Akka.Cluster.Cluster Cluster => Akka.Cluster.Cluster.Get(_system);

    private async Task<int> ShowAsync(CommandRequest request, ICommandOutput output, CancellationToken cancellationToken)
    {
        var state = Cluster.State;
        var self = Cluster.SelfAddress;
        var members = state.Members
            .Concat(state.Unreachable.Where(u => !state.Members.Contains(u)))
            .OrderBy(m => m.Address, Member.AddressOrdering)
            .Select(m => new MemberView(
                m.Address.ToString(),
                m.Roles.Order(StringComparer.Ordinal).ToArray(),
                StatusText(m.Status),
                state.Unreachable.Contains(m) ? "unreachable" : "reachable",
                m.Address.Equals(state.Leader),
                m.Address.Equals(self)))
            .ToArray();

        if (request.WantsJson)
        {
            await output.WriteJsonAsync(members, cancellationToken);
            return ExitCodes.Success;
        }
        await output.WriteTableAsync(new TableOutput(null,
            ["ADDRESS", "ROLES", "STATUS", "REACHABILITY", "NOTES"],
            members.Select(m => (IReadOnlyList<string>)
            [
                m.Address, $"[{string.Join(",", m.Roles)}]", m.Status, m.Reachability,
                string.Join(", ", new[] { m.IsLeader ? "leader" : null, m.IsSelf ? "self" : null }.OfType<string>()),
            ]).ToArray()), cancellationToken);
        return ExitCodes.Success;
    }

    private async Task<int> StatusAsync(CommandRequest request, ICommandOutput output, CancellationToken cancellationToken)
    {
        var cluster = Cluster;
        var state = cluster.State;
        var self = cluster.SelfMember;
        var status = new NodeStatusView(
            cluster.SelfAddress.ToString(),
            StatusText(self.Status),
            self.Roles.Order(StringComparer.Ordinal).ToArray(),
            state.Leader?.ToString(),
            state.Members.Count,
            state.Members.Count(m => m.Status == MemberStatus.Up),
            state.Unreachable.Count);

        if (request.WantsJson)
        {
            await output.WriteJsonAsync(status, cancellationToken);
            return ExitCodes.Success;
        }
        await output.WriteTableAsync(KeyValueTable(null,
        [
            ("Node", status.Address),
            ("Status", status.Status),
            ("Roles", $"[{string.Join(",", status.Roles)}]"),
            ("Leader", status.Leader ?? "(none)"),
            ("Members", $"{status.Members} ({status.MembersUp} up)"),
            ("Unreachable", status.Unreachable.ToString(CultureInfo.InvariantCulture)),
        ]), cancellationToken);
        return ExitCodes.Success;
    }

    private async Task<int> LeaveAsync(CommandRequest request, ICommandOutput output, CancellationToken cancellationToken)
    {
        var address = request.GetSwitch(AddressSwitch.Name) is { } text ? ResolveMember(text) : Cluster.SelfAddress;
        Cluster.Leave(address);
        await output.WriteLineAsync($"Leave requested for {address}; follow it with 'cluster tail' or 'cluster show'.", cancellationToken);
        return ExitCodes.Success;
    }

    private async Task<int> DownAsync(CommandRequest request, ICommandOutput output, CancellationToken cancellationToken)
    {
        var address = ResolveMember(request.GetSwitch(AddressSwitch.Name)!);
        Cluster.Down(address);
        await output.WriteLineAsync($"Down requested for {address}.", cancellationToken);
        return ExitCodes.Success;
    }

    private async Task<int> JoinAsync(CommandRequest request, ICommandOutput output, CancellationToken cancellationToken)
    {
        var text = request.GetSwitch(AddressSwitch.Name)!;
        if (!TryParseAddress(text, out var address))
            throw new CommandException(
                $"'{text}' is not a full Akka address; join needs one like akka.tcp://{_system.Name}@10.0.0.5:4053.",
                ExitCodes.UsageError);
        Cluster.Join(address);
        await output.WriteLineAsync($"Join requested: {Cluster.SelfAddress} joins {address}.", cancellationToken);
        return ExitCodes.Success;
    }

    private async Task<int> DownUnreachableAsync(CommandRequest request, ICommandOutput output, CancellationToken cancellationToken)
    {
        var unreachable = Cluster.State.Unreachable.Select(m => m.Address).OrderBy(a => a, Member.AddressOrdering).ToArray();
        if (unreachable.Length == 0)
        {
            await output.WriteLineAsync("No member is unreachable; nothing to down.", cancellationToken);
            return ExitCodes.Success;
        }
        foreach (var address in unreachable)
        {
            Cluster.Down(address);
            await output.WriteLineAsync($"Down requested for {address}.", cancellationToken);
        }
        return ExitCodes.Success;
    }

    private async Task<int> TailAsync(CommandRequest request, ICommandOutput output, CancellationToken cancellationToken)
    {
        var events = Channel.CreateBounded<ClusterEvent.IClusterDomainEvent>(
            new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        var forwarder = _system.ActorOf(ClusterEventForwarder.CreateProps(events.Writer));
        try
        {
            await output.WriteLineAsync(
                $"Tailing cluster events seen by {Cluster.SelfAddress} (current members first); Ctrl+C to stop.",
                cancellationToken);
            await foreach (var domainEvent in events.Reader.ReadAllAsync(cancellationToken))
            {
                if (Describe(domainEvent) is { } line)
                    await output.WriteLineAsync($"{_system.Scheduler.Now.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ} {line}", cancellationToken);
            }
            return ExitCodes.Success;
        }
        finally
        {
            _system.Stop(forwarder);
        }
    }

    private async Task<int> SplitBrainResolverAsync(CommandRequest request, ICommandOutput output, CancellationToken cancellationToken)
    {
        var config = _system.Settings.Config;
        var resolver = config.GetConfig("akka.cluster.split-brain-resolver") ?? Config.Empty;
        var downingProvider = config.GetString("akka.cluster.downing-provider-class", "");
        var strategy = resolver.GetString("active-strategy", "keep-majority");
        var majorityRole = resolver.GetString("keep-majority.role", "");
        string Setting(string key) => resolver.GetString(key, "") is { Length: > 0 } value ? value : "(not set)";
        var settings = new (string Key, string Value)[]
        {
            ("akka.cluster.downing-provider-class", downingProvider.Length > 0 ? downingProvider : "(none: no automatic downing)"),
            ("active-strategy", strategy),
            ("stable-after", resolver.GetTimeSpan("stable-after", TimeSpan.FromSeconds(20)).ToString()),
            ("down-all-when-unstable", Setting("down-all-when-unstable")),
            ("keep-majority.role", majorityRole.Length > 0 ? majorityRole : "(any)"),
            ("static-quorum.quorum-size", Setting("static-quorum.quorum-size")),
            ("static-quorum.role", Setting("static-quorum.role")),
            ("keep-oldest.down-if-alone", Setting("keep-oldest.down-if-alone")),
            ("keep-oldest.role", Setting("keep-oldest.role")),
            ("lease-majority.lease-implementation", Setting("lease-majority.lease-implementation")),
        };

        var state = Cluster.State;
        var counted = state.Members
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting)
            .Where(m => majorityRole.Length == 0 || m.HasRole(majorityRole))
            .Select(m => new ResolverMember(m.Address.ToString(), m.Address.Host ?? "", m.Address.Port ?? 0, !state.Unreachable.Contains(m)))
            .ToArray();
        var outcome = KeepMajorityAssessment.Assess(counted);
        var unreachable = state.Unreachable.Select(m => m.Address.ToString()).Order(StringComparer.Ordinal).ToArray();
        var resolverActive = downingProvider.Contains("SplitBrainResolver", StringComparison.Ordinal);

        if (request.WantsJson)
        {
            await output.WriteJsonAsync(new
            {
                ResolverActive = resolverActive,
                Settings = settings.ToDictionary(s => s.Key, s => s.Value),
                Unreachable = unreachable,
                KeepMajority = outcome,
            }, cancellationToken);
            return ExitCodes.Success;
        }

        await output.WriteTableAsync(KeyValueTable("Split-brain resolver settings", settings), cancellationToken);
        await output.WriteTableAsync(KeyValueTable("Current state seen by " + Cluster.SelfAddress,
        [
            ("Resolver active", resolverActive ? "yes" : "no (downing-provider-class is not the split-brain resolver)"),
            ("Unreachable", unreachable.Length == 0 ? "(none)" : string.Join(", ", unreachable)),
            ("Counted members", $"{outcome.ReachableCount} reachable, {outcome.UnreachableCount} unreachable" +
                                (majorityRole.Length > 0 ? $" (role {majorityRole})" : "")),
            ("Keep-majority decision", outcome.Decision),
            ("Why", outcome.Explanation),
            ("Note", strategy == "keep-majority"
                ? "an estimate: the resolver acts after stable-after without changes"
                : $"the active strategy is {strategy}; the decision above is what keep-majority would do"),
        ]), cancellationToken);
        return ExitCodes.Success;
    }

    /// <summary>A member address from a full address or the host:port of a current member.</summary>
    private Address ResolveMember(string text)
    {
        var members = Cluster.State.Members.Select(m => m.Address).ToArray();
        if (TryParseAddress(text, out var parsed))
            return parsed;
        var byHostPort = members.Where(a => string.Equals($"{a.Host}:{a.Port}", text, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (byHostPort.Length == 1)
            return byHostPort[0];
        throw new CommandException(
            $"'{text}' is neither a full address nor the host:port of one member. Members: " +
            $"{string.Join(", ", members.Select(a => a.ToString()))}.",
            ExitCodes.UsageError);
    }

    private static bool TryParseAddress(string text, out Address address)
    {
        address = Address.AllSystems;
        if (!text.Contains("://", StringComparison.Ordinal))
            return false;
        try
        {
            address = Address.Parse(text);
            return address.Host is not null && address.Port is not null;
        }
        catch (UriFormatException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string? Describe(ClusterEvent.IClusterDomainEvent domainEvent) => domainEvent switch
    {
        ClusterEvent.IMemberEvent memberEvent =>
            $"{domainEvent.GetType().Name} {memberEvent.Member.Address} [{string.Join(",", memberEvent.Member.Roles.Order(StringComparer.Ordinal))}] {StatusText(memberEvent.Member.Status)}",
        ClusterEvent.UnreachableMember unreachable => $"UnreachableMember {unreachable.Member.Address}",
        ClusterEvent.ReachableMember reachable => $"ReachableMember {reachable.Member.Address}",
        ClusterEvent.LeaderChanged leader => $"LeaderChanged {leader.Leader?.ToString() ?? "(none)"}",
        _ => null,
    };

    private static string StatusText(MemberStatus status) => status.ToString().ToLowerInvariant();

    private static TableOutput KeyValueTable(string? title, IEnumerable<(string Key, string Value)> rows) =>
        new(title, ["KEY", "VALUE"], rows.Select(row => (IReadOnlyList<string>)[row.Key, row.Value]).ToArray());

    private sealed record MemberView(string Address, string[] Roles, string Status, string Reachability, bool IsLeader, bool IsSelf);

    private sealed record NodeStatusView(string Address, string Status, string[] Roles, string? Leader, int Members, int MembersUp, int Unreachable);
}

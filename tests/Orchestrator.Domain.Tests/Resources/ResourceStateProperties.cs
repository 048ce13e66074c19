using System.Globalization;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orchestrator.Domain.ReplicaSets;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Serialization;
using static Orchestrator.Domain.Tests.Resources.Objects;

namespace Orchestrator.Domain.Tests.Resources;

public class ResourceStateProperties
{
    private static JsonObject ScalePatch(int replicas) => new() { ["spec"] = new JsonObject { ["replicas"] = replicas } };

    /// <summary>The state as the entity has it after recovery: every object parsed back from its journal JSON.</summary>
    private static ResourceState Recovered(ResourceState state) =>
        state with { Current = state.Current is null ? null : Json(state.Current.ToJsonString()) };

    [Property(MaxTest = 40)]
    public Property Generation_counts_the_spec_changes_and_resourceVersion_the_events() =>
        Prop.ForAll(
            Gen.ListOf(Gen.Choose(0, 4)).ToArbitrary(),
            replicaCounts =>
            {
                var state = Created(ReplicaSetKind.Instance, ReplicaSet(replicas: 2));
                var current = 2;
                var changes = 0;
                foreach (var replicas in replicaCounts)
                {
                    var decision = state.Patch(PatchType.Merge, ScalePatch(replicas), Subresource.Main, Context());
                    if (decision.Error is not null || (decision.Event is null) != (replicas == current)) return false;
                    if (replicas != current) changes++;
                    current = replicas;
                    state = state.Then(decision);
                }
                return state.Current!.Generation() == 1 + changes && state.ResourceVersion == 1 + changes
                    && state.Current!["spec"]!["replicas"].GetLong() == current;
            });

    [Property(MaxTest = 40)]
    public Property A_recovered_state_decides_like_the_live_one() =>
        Prop.ForAll(
            Gen.ListOf(Gen.Choose(0, 3)).ToArbitrary(),
            replicaCounts =>
            {
                var live = Created(ReplicaSetKind.Instance, ReplicaSet(replicas: 1));
                foreach (var replicas in replicaCounts)
                {
                    var fromLive = live.Patch(PatchType.Merge, ScalePatch(replicas), Subresource.Main, Context());
                    var fromJournal = Recovered(live).Patch(PatchType.Merge, ScalePatch(replicas), Subresource.Main, Context());
                    if ((fromLive.Event is null) != (fromJournal.Event is null)) return false;
                    if (fromLive.Result!.Generation() != fromJournal.Result!.Generation()) return false;
                    live = live.Then(fromLive);
                }
                return true;
            });

    [Property(MaxTest = 40)]
    public Property Replacing_with_the_visible_object_is_always_a_no_op() =>
        Prop.ForAll(
            Gen.Choose(0, 50).ToArbitrary(),
            Gen.ListOf(Gen.Elements("a", "b", "tier", "app.kubernetes.io/name")).ToArbitrary(),
            (replicas, labelKeys) =>
            {
                var rs = ReplicaSet(replicas: replicas);
                var labels = new JsonObject();
                foreach (var key in labelKeys.Distinct()) labels[key] = "v";
                rs.Metadata()["labels"] = labels;
                var state = Created(ReplicaSetKind.Instance, rs);
                return state.Replace(state.Visible!, Subresource.Main, Context()).Event is null
                    && Recovered(state).Replace(state.Visible!, Subresource.Main, Context()).Event is null;
            });

    [Property]
    public Property GetLong_reads_every_long_however_it_was_built(long n) =>
        (JsonValue.Create(n).GetLong() == n
         && JsonNode.Parse(n.ToString(CultureInfo.InvariantCulture)).GetLong() == n
         && (n is < int.MinValue or > int.MaxValue || JsonValue.Create((int)n).GetLong() == n)).ToProperty();

    [Property]
    public Property Yaml_plain_integers_are_numbers_and_quoted_ones_strings(long n)
    {
        var text = n.ToString(CultureInfo.InvariantCulture);
        var obj = YamlJson.ParseObject($"plain: {text}\nquoted: \"{text}\"\n");
        return (obj["plain"].GetLong() == n && obj["quoted"]!.GetValue<string>() == text).ToProperty();
    }
}

using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.ReplicaSets;
using Orchestrator.Domain.Resources;
using Orchestrator.TestSupport.Builders;

namespace Orchestrator.Domain.Tests.Controllers;

public sealed class GarbageCollectorRulesTests
{
    private static JsonObject Owner(string uid, params string[] finalizers)
    {
        var meta = new JsonObject { ["name"] = uid, ["namespace"] = "default", ["uid"] = uid };
        if (finalizers.Length > 0)
        {
            meta["deletionTimestamp"] = ObjectMeta.FormatTime(TestObjects.Now);
            meta["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode)f).ToArray());
        }
        return new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "ReplicaSet", ["metadata"] = meta };
    }

    private static JsonObject Dependent(string name, params (string Uid, bool Block)[] owners)
    {
        var pod = TestObjects.Pod(name, null);
        pod.Metadata()["ownerReferences"] = new JsonArray(owners.Select(o => (JsonNode)new JsonObject
        {
            ["kind"] = "ReplicaSet", ["name"] = o.Uid, ["uid"] = o.Uid, ["controller"] = true, ["blockOwnerDeletion"] = o.Block,
        }).ToArray());
        return pod;
    }

    [Property]
    public Property Garbage_is_what_has_owners_and_none_of_them_exists() =>
        Prop.ForAll(Gen.ListOf(Gen.Elements(true, false)).ToArbitrary(), exists =>
        {
            var pod = Dependent("p", exists.Select((_, i) => ($"o{i}", true)).ToArray());
            var verdict = GarbageCollectorRules.DecideDependent(pod, r => exists[int.Parse(r.GetString("uid")![1..], System.Globalization.CultureInfo.InvariantCulture)] ? OwnerState.Solid : OwnerState.Absent, hasDependents: false);
            if (exists.Count == 0) return verdict is KeepDependent;
            if (!exists.Any(e => e)) return verdict == new DeleteDependent(DeletionPropagation.Background);
            var absent = exists.Select((e, i) => (e, i)).Where(x => !x.e).Select(x => $"o{x.i}").ToList();
            return absent.Count == 0 ? verdict is KeepDependent : verdict is DropOwnerReferences d && d.OwnerUids.SequenceEqual(absent);
        });

    [Fact]
    public void A_dependent_of_an_owner_deleted_in_the_foreground_is_deleted_in_the_foreground_when_it_has_dependents_itself()
    {
        var rs = Dependent("rs", ("deploy", true));
        Assert.Equal(new DeleteDependent(DeletionPropagation.Foreground), GarbageCollectorRules.DecideDependent(rs, _ => OwnerState.WaitingForDependents, hasDependents: true));
        Assert.Equal(new DeleteDependent(DeletionPropagation.Background), GarbageCollectorRules.DecideDependent(rs, _ => OwnerState.WaitingForDependents, hasDependents: false));
    }

    [Fact]
    public void A_dependent_with_a_solid_owner_only_drops_the_reference_to_the_waiting_one()
    {
        var pod = Dependent("p", ("a", true), ("b", true));
        var verdict = GarbageCollectorRules.DecideDependent(pod, r => r.GetString("uid") == "a" ? OwnerState.WaitingForDependents : OwnerState.Solid, hasDependents: false);
        Assert.Equal(["a"], Assert.IsType<DropOwnerReferences>(verdict).OwnerUids);
    }

    [Fact]
    public void A_dependent_being_deleted_or_without_owners_is_left_alone_and_an_orphaned_one_keeps_its_own_policy()
    {
        Assert.IsType<KeepDependent>(GarbageCollectorRules.DecideDependent(TestObjects.Pod("free", null), _ => OwnerState.Absent, false));
        var deleting = Dependent("d", ("gone", true));
        deleting.Metadata()["deletionTimestamp"] = ObjectMeta.FormatTime(TestObjects.Now);
        Assert.IsType<KeepDependent>(GarbageCollectorRules.DecideDependent(deleting, _ => OwnerState.Absent, false));
        var keepsOwnPolicy = Dependent("o", ("gone", true));
        keepsOwnPolicy.Metadata()["finalizers"] = new JsonArray("orphan");
        Assert.Equal(new DeleteDependent(DeletionPropagation.Orphan), GarbageCollectorRules.DecideDependent(keepsOwnPolicy, _ => OwnerState.Absent, false));
    }

    [Fact]
    public void An_owner_deleted_with_orphan_unlinks_exactly_its_dependents()
    {
        var owner = Owner("rs1", DeletionPropagation.OrphanFinalizer);
        var mine = Dependent("a", ("rs1", true));
        var other = Dependent("b", ("rs2", true));
        var verdict = Assert.IsType<OrphanDependents>(GarbageCollectorRules.DecideOwner(owner, [mine, other]));
        Assert.Equal("a", Assert.Single(verdict.Dependents).Name());
        Assert.Empty(GarbageCollectorRules.ReferencesWithout(mine, ["rs1"]));
        Assert.Empty(GarbageCollectorRules.FinalizersWithout(owner, DeletionPropagation.OrphanFinalizer));
    }

    [Fact]
    public void An_owner_deleted_in_the_foreground_waits_for_blocking_dependents_only()
    {
        var owner = Owner("rs1", DeletionPropagation.ForegroundFinalizer, "example.com/other");
        var blocking = Dependent("a", ("rs1", true));
        var loose = Dependent("b", ("rs1", false));
        Assert.Equal("a", Assert.Single(Assert.IsType<AwaitDependents>(GarbageCollectorRules.DecideOwner(owner, [blocking, loose])).Blocking).Name());
        Assert.IsType<ReleaseOwner>(GarbageCollectorRules.DecideOwner(owner, [loose]));
        Assert.Equal(["example.com/other"], GarbageCollectorRules.FinalizersWithout(owner, DeletionPropagation.ForegroundFinalizer).Select(f => f!.GetValue<string>()));
        Assert.Equal(OwnerState.WaitingForDependents, GarbageCollectorRules.StateOf(owner));
        Assert.Equal(OwnerState.Solid, GarbageCollectorRules.StateOf(Owner("live")));
        Assert.Equal(OwnerState.Absent, GarbageCollectorRules.StateOf(null));
        Assert.IsType<NothingToDo>(GarbageCollectorRules.DecideOwner(Owner("live"), [blocking]));
    }

    [Theory]
    [InlineData(null, new string[0], new[] { "example.com/x" })]
    [InlineData("Background", new[] { "orphan" }, new[] { "example.com/x" })]
    [InlineData("Orphan", new[] { "foregroundDeletion" }, new[] { "example.com/x", "orphan" })]
    [InlineData("Foreground", new[] { "orphan" }, new[] { "example.com/x", "foregroundDeletion" })]
    public void The_propagation_policy_becomes_finalizers(string? policy, string[] gcFinalizers, string[] expected)
    {
        var current = new[] { "example.com/x" }.Concat(gcFinalizers).ToList();
        if (policy is null) expected = [.. current];
        Assert.Equal(expected, DeletionPropagation.Finalizers(ReplicaSetKind.Instance, current, policy));
        // Kinds the garbage collector does not follow never get its finalizers.
        Assert.Equal(["example.com/x"], DeletionPropagation.Finalizers(Orchestrator.Domain.Events.EventKind.Instance, ["example.com/x"], policy));
    }
}

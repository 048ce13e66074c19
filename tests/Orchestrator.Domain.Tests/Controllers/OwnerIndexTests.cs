using System.Text.Json.Nodes;
using Orchestrator.Domain.Controllers;
using static Orchestrator.TestSupport.Builders.TestObjects;

namespace Orchestrator.Domain.Tests.Controllers;

public class OwnerIndexTests
{
    [Fact]
    public void Dependents_are_found_by_the_uid_of_their_controller()
    {
        var index = new OwnerIndex(OwnerLinks.Controller);
        var rs = ReplicaSet(uid: "rs-1");
        index.AddOwner("default/web-1", rs);
        index.Observe("default/a", Pod("a", "rs-1"));
        index.Observe("default/b", Pod("b", "rs-1"));
        index.Observe("default/c", Pod("c", "rs-2"));

        Assert.Equal(["default/a", "default/b"], index.DependentsOf("rs-1").Keys.Order());
        Assert.Equal(["default/web-1"], index.OwnerKeysOf(Pod("a", "rs-1")));
        Assert.Empty(index.OwnerKeysOf(Pod("c", "rs-2"))); // its owner is not registered
        Assert.Equal("default/web-1", index.OwnerKey("rs-1"));

        index.RemoveOwner(rs);
        Assert.Null(index.OwnerKey("rs-1"));
        Assert.Equal(2, index.DependentsOf("rs-1").Count); // the pods still point at it
    }

    [Fact]
    public void A_dependent_that_changes_owner_moves_and_one_that_goes_leaves_no_trace()
    {
        var index = new OwnerIndex(OwnerLinks.Controller, indexOrphans: true);
        var orphan = Pod("a", null);
        Assert.Null(index.Observe("default/a", orphan));
        Assert.Equal(["default/a"], index.OrphansIn("default").Keys);

        var adopted = Pod("a", "rs-1");
        Assert.Same(orphan, index.Observe("default/a", adopted));
        Assert.Empty(index.OrphansIn("default"));
        Assert.Same(adopted, index.DependentsOf("rs-1")["default/a"]);

        var updated = Pod("a", "rs-1", ready: true);
        index.Observe("default/a", updated);
        Assert.Same(updated, index.DependentsOf("rs-1")["default/a"]);
        Assert.Same(updated, index.Get("default/a"));

        Assert.Same(updated, index.Forget("default/a"));
        Assert.Empty(index.DependentsOf("rs-1"));
        Assert.Empty(index.Objects);
        Assert.Null(index.Forget("default/a"));
    }

    [Fact]
    public void Orphans_are_kept_by_namespace_only_when_asked()
    {
        var index = new OwnerIndex(OwnerLinks.All);
        index.Observe("default/a", Pod("a", null));
        Assert.Empty(index.OrphansIn("default"));
        Assert.Single(index.Objects);
    }

    [Fact]
    public void Following_every_reference_finds_a_dependent_under_each_owner()
    {
        var pod = Pod("a", "rs-1");
        var references = (JsonArray)pod["metadata"]!["ownerReferences"]!;
        references.Add(new JsonObject { ["kind"] = "ConfigMap", ["name"] = "cm", ["uid"] = "cm-1" });
        var all = new OwnerIndex(OwnerLinks.All);
        var controllers = new OwnerIndex(OwnerLinks.Controller);
        all.Observe("default/a", pod);
        controllers.Observe("default/a", pod);

        Assert.Equal(["rs-1", "cm-1"], all.OwnerUids(pod));
        Assert.Single(all.DependentsOf("cm-1"));
        Assert.Equal(["rs-1"], controllers.OwnerUids(pod));
        Assert.Empty(controllers.DependentsOf("cm-1"));
    }

    [Fact]
    public void An_owner_without_a_uid_is_not_registered()
    {
        var index = new OwnerIndex(OwnerLinks.Controller);
        var rs = ReplicaSet();
        rs["metadata"]!.AsObject().Remove("uid");
        index.AddOwner("default/web-1", rs);
        Assert.Null(index.OwnerKey(null));
        Assert.Null(index.OwnerKey("rs-uid"));
    }
}

using System.Runtime.Serialization;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Serialization;
using Orchestrator.Cluster.Hosting;
using Orchestrator.Cluster.Resources;
using Orchestrator.Cluster.Serialization;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Tests.Resources;

/// <summary>Journal events and wire messages round-trip through the manifest-bound serializer.</summary>
public sealed class OrchestratorSerializerSpec : Akka.TestKit.Xunit2.TestKit
{
    public OrchestratorSerializerSpec() : base(ControlPlane.DefaultConfig, "serializer-spec")
    {
    }

    public static IEnumerable<object[]> Messages()
    {
        var obj = JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"default"},"data":{"k":"v"}}""")!.AsObject();
        var key = new ResourceKey("ConfigMap", "default", "a");
        yield return [new ResourceCreated(obj), "resource-created.v1"];
        yield return [new ResourceUpdated(obj, "patched"), "resource-updated.v1"];
        yield return [new ResourceDeleted(obj), "resource-deleted.v1"];
        yield return [new ResourceSnapshot(obj, 42), "resource-snapshot.v1"];
        yield return [new GetResource(key), "get-resource"];
        yield return [new CreateResource(key, obj), "create-resource"];
        yield return [new ReplaceResource(key, obj, Subresource.Status), "replace-resource"];
        yield return [new PatchResource(key, PatchType.Strategic, JsonNode.Parse("""{"data":{"x":"y"}}""")!, Subresource.Main, "scaled"), "patch-resource"];
        yield return [new DeleteResource(key, new DeleteRequest("uid", "7", 0, "Foreground")), "delete-resource"];
        yield return [new BindPod(key, "node-a"), "bind-pod"];
        yield return [new ResourceReply(null, ApiError.Conflict(Domain.ConfigMaps.ConfigMapKind.Instance, "a", "stale")), "resource-reply"];
        yield return [Journal.GetJournalOutages.Instance, "get-journal-outages"];
        var at = DateTimeOffset.Parse("2026-01-02T03:04:05.678+00:00", System.Globalization.CultureInfo.InvariantCulture);
        yield return [new Journal.JournalOutages([new(at, at.AddSeconds(30)), new(at.AddMinutes(1), null)], at.AddMinutes(2)), "journal-outages"];
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Messages_are_bound_to_the_json_serializer_by_manifest(object message, string manifest)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<OrchestratorSerializer>(serializer);
        Assert.Equal(manifest, Akka.Serialization.Serialization.ManifestFor(serializer, message));
        var bytes = serializer.ToBinary(message);
        var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(message, message.GetType()), System.Text.Json.JsonSerializer.Serialize(back, back.GetType()));
    }

    [Fact]
    public void An_unknown_manifest_fails_with_a_clear_message()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerForType(typeof(ResourceCreated));
        var error = Assert.Throws<SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "resource-exploded.v9"));
        Assert.Contains("unknown manifest 'resource-exploded.v9'", error.Message);
    }
}

/// <summary>Events and snapshots of a Secret go through the serializer sealed, and come back whole.</summary>
public sealed class SealedSecretSerializerSpec : Akka.TestKit.Xunit2.TestKit
{
    public SealedSecretSerializerSpec()
        : base(Akka.Actor.Setup.ActorSystemSetup.Create(
            Akka.Actor.BootstrapSetup.Create().WithConfig(ControlPlane.DefaultConfig),
            new Orchestrator.Cluster.Secrets.SecretEncryptionSetup(Orchestrator.Cluster.Secrets.SecretKeyring.Generate())), "sealed-serializer-spec")
    {
    }

    public static IEnumerable<object[]> SecretEvents()
    {
        var secret = JsonNode.Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"default"},"type":"Opaque","data":{"k":"c2VjcmV0LXZhbHVl"}}""")!.AsObject();
        yield return [new ResourceCreated(secret), "sealed-resource-created.v1"];
        yield return [new ResourceUpdated(secret, "patched"), "sealed-resource-updated.v1"];
        yield return [new ResourceDeleted(secret), "sealed-resource-deleted.v1"];
        yield return [new ResourceSnapshot(secret, 9), "sealed-resource-snapshot.v1"];
    }

    [Theory]
    [MemberData(nameof(SecretEvents))]
    public void Secret_events_and_snapshots_are_sealed_and_read_back_whole(object message, string manifest)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.Equal(manifest, Akka.Serialization.Serialization.ManifestFor(serializer, message));
        var bytes = serializer.ToBinary(message);
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.DoesNotContain("c2VjcmV0LXZhbHVl", text);
        Assert.Contains("\"sealed\"", text);
        var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(message, message.GetType()), System.Text.Json.JsonSerializer.Serialize(back, back.GetType()));
    }

    [Fact]
    public void A_sealed_manifest_for_a_wire_message_is_unknown()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerForType(typeof(ResourceCreated));
        Assert.Throws<SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "sealed-get-resource"));
    }
}

using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Serialization;

/// <summary>
/// JSON serializer for journal events and wire messages, bound by string manifest. The manifest
/// table below is the contract with every journal ever written: a manifest, once used, is never
/// renamed or reused; a class may be renamed freely as long as it keeps its manifest.
/// </summary>
public sealed class OrchestratorSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private static readonly Dictionary<string, Type> TypesByManifest = new(StringComparer.Ordinal)
    {
        // Journal events (version 1).
        ["resource-created.v1"] = typeof(ResourceCreated),
        ["resource-updated.v1"] = typeof(ResourceUpdated),
        ["resource-deleted.v1"] = typeof(ResourceDeleted),
        ["resource-snapshot.v1"] = typeof(ResourceSnapshot),
        // Wire messages: entity commands and replies.
        ["get-resource"] = typeof(GetResource),
        ["create-resource"] = typeof(CreateResource),
        ["replace-resource"] = typeof(ReplaceResource),
        ["patch-resource"] = typeof(PatchResource),
        ["delete-resource"] = typeof(DeleteResource),
        ["bind-pod"] = typeof(BindPod),
        ["resource-reply"] = typeof(ResourceReply),
        // Wire messages: pod logs served by another member.
        ["pod-log-request"] = typeof(Logs.PodLogRequest),
        ["pod-log-opened"] = typeof(Logs.PodLogOpened),
        ["pod-log-lines"] = typeof(Logs.PodLogLines),
        ["pod-log-ack"] = typeof(Logs.PodLogAck),
        ["pod-log-ended"] = typeof(Logs.PodLogEnded),
        // Wire messages: exec, attach and port-forward served by another member.
        ["pod-stream-request"] = typeof(Streams.PodStreamRequest),
        ["pod-stream-opened"] = typeof(Streams.PodStreamOpened),
        ["pod-stream-output"] = typeof(Streams.PodStreamOutput),
        ["pod-stream-input"] = typeof(Streams.PodStreamInput),
        ["pod-stream-input-closed"] = typeof(Streams.PodStreamInputClosed),
        ["pod-stream-resized"] = typeof(Streams.PodStreamResized),
        ["pod-stream-ack"] = typeof(Streams.PodStreamAck),
        ["pod-stream-closed"] = typeof(Streams.PodStreamClosed),
    };

    private static readonly Dictionary<Type, string> ManifestsByType = TypesByManifest.ToDictionary(kv => kv.Value, kv => kv.Key);

    internal static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public override string Manifest(object o) =>
        ManifestsByType.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{o.GetType()} has no manifest in {nameof(OrchestratorSerializer)}; add one to its table", nameof(o));

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);

    public override object FromBinary(byte[] bytes, string manifest) =>
        TypesByManifest.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, Options) ?? throw new SerializationException($"empty payload for manifest '{manifest}'")
            : throw new SerializationException($"unknown manifest '{manifest}': this journal was written by a newer version, or the manifest table lost an entry");
}

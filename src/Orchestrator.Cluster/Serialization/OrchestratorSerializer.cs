using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Orchestrator.Cluster.Resources;
using Orchestrator.Cluster.Secrets;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Serialization;

/// <summary>
/// JSON serializer for journal events and wire messages, bound by string manifest. The manifest
/// table below is the contract with every journal ever written: a manifest, once used, is never
/// renamed or reused; a class may be renamed freely as long as it keeps its manifest.
/// </summary>
/// <remarks>
/// Events and snapshots of a Secret are written under the same manifest prefixed with
/// <c>sealed-</c>: their values encrypted by <see cref="SecretSealer"/> under the keyring of the
/// system's <see cref="SecretEncryptionSetup"/>, and decrypted when read, so every reader (entity
/// recovery, the index) sees plaintext, as Kubernetes' API does. A version that does not know the
/// prefix refuses such an event instead of reading a Secret without values.
/// </remarks>
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
        // Wire messages: journal outages a member reports to the others (node lifecycle).
        ["get-journal-outages"] = typeof(Journal.GetJournalOutages),
        ["journal-outages"] = typeof(Journal.JournalOutages),
    };

    /// <summary>The prefix of the manifest of a journal event or snapshot whose Secret values are encrypted.</summary>
    public const string SealedPrefix = "sealed-";

    private static readonly HashSet<string> SealableManifests = new(StringComparer.Ordinal)
    {
        "resource-created.v1", "resource-updated.v1", "resource-deleted.v1", "resource-snapshot.v1",
    };

    private SecretSealer? _sealer;

    private static readonly Dictionary<Type, string> ManifestsByType = TypesByManifest.ToDictionary(kv => kv.Value, kv => kv.Key);

    internal static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public override string Manifest(object o)
    {
        var manifest = ManifestsByType.TryGetValue(o.GetType(), out var known)
            ? known
            : throw new ArgumentException($"{o.GetType()} has no manifest in {nameof(OrchestratorSerializer)}; add one to its table", nameof(o));
        return IsSealed(o) ? SealedPrefix + manifest : manifest;
    }

    public override byte[] ToBinary(object obj)
    {
        if (!IsSealed(obj)) return JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);
        var payload = JsonSerializer.SerializeToNode(obj, obj.GetType(), Options)!.AsObject();
        Sealer.Seal(payload);
        return JsonSerializer.SerializeToUtf8Bytes(payload, Options);
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var sealedPayload = manifest.StartsWith(SealedPrefix, StringComparison.Ordinal) && SealableManifests.Contains(manifest[SealedPrefix.Length..]);
        var plainManifest = sealedPayload ? manifest[SealedPrefix.Length..] : manifest;
        if (!TypesByManifest.TryGetValue(plainManifest, out var type))
            throw new SerializationException($"unknown manifest '{manifest}': this journal was written by a newer version, or the manifest table lost an entry");
        if (!sealedPayload)
            return JsonSerializer.Deserialize(bytes, type, Options) ?? throw new SerializationException($"empty payload for manifest '{manifest}'");
        var payload = JsonNode.Parse(bytes) as JsonObject ?? throw new SerializationException($"empty payload for manifest '{manifest}'");
        Sealer.Unseal(payload);
        return payload.Deserialize(type, Options) ?? throw new SerializationException($"empty payload for manifest '{manifest}'");
    }

    /// <summary>Whether <paramref name="o"/> is a journal event or snapshot of a Secret: its values are encrypted.</summary>
    private static bool IsSealed(object o) => o switch
    {
        IResourceEvent e => SecretSealer.IsSecret(e.Object),
        ResourceSnapshot s => SecretSealer.IsSecret(s.Object),
        _ => false,
    };

    private SecretSealer Sealer => _sealer ??= this.system.Settings.Setup.Get<SecretEncryptionSetup>() is { HasValue: true } setup
        ? setup.Value.Sealer
        : throw new SecretKeyException("this actor system has no Secret encryption keys (SecretEncryptionSetup): Secrets can be neither written nor read; nothing was changed");
}

using System.Runtime.Serialization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Orchestrator.Cluster.Secrets;

/// <summary>
/// Encrypts a Secret's values inside a journal payload (an event's or a snapshot's JSON, whose
/// <c>object</c> is the Secret) and decrypts them back. The object's <c>data</c> and
/// <c>stringData</c> leave it and become one envelope beside it:
/// <code>
/// {"object": {"kind":"Secret","metadata":{...},"type":"Opaque"},
///  "sealed": {"key":"k0123456789abcdef","nonce":"base64 (12 bytes)","ciphertext":"base64 (AES-256-GCM ciphertext and 16-byte tag)"}}
/// </code>
/// The plaintext is <c>{"data":{...}}</c> as JSON; the associated data is
/// <c>Secret/namespace/name</c>, so a ciphertext copied onto another Secret does not decrypt.
/// Metadata (name, labels) stays readable, as in Kubernetes' encryption at rest, which covers values.
/// </summary>
public sealed class SecretSealer(SecretKeyring keyring)
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private static readonly string[] SealedFields = ["data", "stringData"];

    public SecretKeyring Keyring { get; } = keyring ?? throw new ArgumentNullException(nameof(keyring));

    /// <summary>Whether <paramref name="obj"/> is a Secret, whose values are sealed.</summary>
    public static bool IsSecret(JsonObject? obj) =>
        obj?["kind"] is JsonValue kind && kind.TryGetValue<string>(out var name) && name == "Secret";

    /// <summary>Moves the values of the payload's Secret into a <c>sealed</c> envelope under the active key.</summary>
    public void Seal(JsonObject payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var obj = ObjectOf(payload);
        var plain = new JsonObject();
        foreach (var field in SealedFields)
        {
            if (obj.Remove(field, out var value)) plain[field] = value;
        }
        var plaintext = Encoding.UTF8.GetBytes(plain.ToJsonString());
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var sealedBytes = new byte[plaintext.Length + TagBytes];
        using (var aes = new AesGcm(Keyring.ActiveKey, TagBytes))
            aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(0, plaintext.Length), sealedBytes.AsSpan(plaintext.Length), AssociatedData(obj));
        CryptographicOperations.ZeroMemory(plaintext);
        payload["sealed"] = new JsonObject
        {
            ["key"] = Keyring.ActiveKeyId,
            ["nonce"] = Convert.ToBase64String(nonce),
            ["ciphertext"] = Convert.ToBase64String(sealedBytes),
        };
    }

    /// <summary>
    /// Puts the values of the payload's <c>sealed</c> envelope back into its Secret. A key this
    /// keyring lacks, or a ciphertext that does not authenticate, is a <see cref="SecretKeyException"/>
    /// naming the Secret and the key id: never an empty Secret.
    /// </summary>
    public void Unseal(JsonObject payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var obj = ObjectOf(payload);
        if (!payload.Remove("sealed", out var envelopeNode) || envelopeNode is not JsonObject envelope)
            throw new SerializationException($"the sealed Secret {NameOf(obj)} has no 'sealed' envelope: the journal entry is damaged");
        var keyId = Text(envelope, "key", obj);
        var nonce = Convert.FromBase64String(Text(envelope, "nonce", obj));
        var sealedBytes = Convert.FromBase64String(Text(envelope, "ciphertext", obj));
        if (nonce.Length != NonceBytes || sealedBytes.Length < TagBytes)
            throw new SerializationException($"the sealed Secret {NameOf(obj)} has a malformed envelope: the journal entry is damaged");
        var plaintext = new byte[sealedBytes.Length - TagBytes];
        try
        {
            using var aes = new AesGcm(Keyring.Key(keyId), TagBytes);
            aes.Decrypt(nonce, sealedBytes.AsSpan(0, plaintext.Length), sealedBytes.AsSpan(plaintext.Length), plaintext, AssociatedData(obj));
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new SecretKeyException($"the Secret {NameOf(obj)} does not decrypt under key {keyId}: the journal entry was altered or belongs to another Secret; nothing was changed", e);
        }
        var plain = JsonNode.Parse(plaintext) as JsonObject ?? throw new SerializationException($"the sealed Secret {NameOf(obj)} decrypts to no object");
        CryptographicOperations.ZeroMemory(plaintext);
        foreach (var field in SealedFields)
        {
            if (plain.Remove(field, out var value)) obj[field] = value;
        }
    }

    /// <summary>The key id of a sealed payload's envelope (null when it has none).</summary>
    public static string? KeyIdOf(JsonObject payload) =>
        payload["sealed"]?["key"] is JsonValue key && key.TryGetValue<string>(out var id) ? id : null;

    private static JsonObject ObjectOf(JsonObject payload) =>
        payload["object"] as JsonObject ?? throw new SerializationException("a sealed journal payload must hold an object");

    private static string Text(JsonObject envelope, string field, JsonObject obj) =>
        envelope[field] is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw new SerializationException($"the sealed Secret {NameOf(obj)} has no '{field}' in its envelope: the journal entry is damaged");

    private static byte[] AssociatedData(JsonObject obj) => Encoding.UTF8.GetBytes("Secret/" + NameOf(obj));

    private static string NameOf(JsonObject obj) =>
        $"{obj["metadata"]?["namespace"]?.GetValue<string>() ?? ""}/{obj["metadata"]?["name"]?.GetValue<string>() ?? ""}";
}

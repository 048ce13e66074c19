using System.Security.Cryptography;

namespace Orchestrator.Cluster.Secrets;

/// <summary>
/// The AES-256 keys Secrets are encrypted under: the first (active) key encrypts every new value,
/// every key decrypts. A key's id is the start of its SHA-256 (<c>k</c> and 16 hex digits), so the
/// same key has the same id on every member and a different key never passes for it.
/// </summary>
/// <remarks>
/// The text form (a key file, or <c>ORCHESTRATOR_SECRET_KEYS</c>) is one base64 key of 32 bytes a
/// line or comma-separated, newest first; <c>#</c> starts a comment line. Rotating is adding a new
/// key in front and restarting: values written before stay readable with the old keys, which must
/// stay until nothing in the journal uses them.
/// </remarks>
public sealed class SecretKeyring
{
    /// <summary>The length of a key: AES-256.</summary>
    public const int KeyBytes = 32;

    private readonly Dictionary<string, byte[]> _keys;

    private SecretKeyring(IReadOnlyList<byte[]> keys)
    {
        if (keys.Count == 0) throw new SecretKeyException("no Secret encryption key was given");
        _keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var key in keys) _keys.TryAdd(IdOf(key), key);
        ActiveKeyId = IdOf(keys[0]);
        KeyIds = keys.Select(k => IdOf(k)).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The id of the key new values are encrypted under.</summary>
    public string ActiveKeyId { get; }

    /// <summary>Every key's id, the active one first.</summary>
    public IReadOnlyList<string> KeyIds { get; }

    /// <summary>Whether a value encrypted under <paramref name="keyId"/> can be decrypted.</summary>
    public bool Has(string keyId) => _keys.ContainsKey(keyId);

    /// <summary>The key of <paramref name="keyId"/>; a clear error (naming the ids, never a key) when it is not here.</summary>
    public byte[] Key(string keyId) =>
        _keys.TryGetValue(keyId, out var key)
            ? key
            : throw new SecretKeyException($"a Secret was encrypted under key {keyId}, which is not among this node's keys ({string.Join(", ", KeyIds)}): give the node that key (orchestrator.secrets.key-file or ORCHESTRATOR_SECRET_KEYS) as well as the new one; nothing was changed");

    internal byte[] ActiveKey => _keys[ActiveKeyId];

    /// <summary>The id of a key: <c>k</c> and the first 16 hex digits of its SHA-256.</summary>
    public static string IdOf(ReadOnlySpan<byte> key) => "k" + Convert.ToHexStringLower(SHA256.HashData(key))[..16];

    /// <summary>A keyring of one new random key.</summary>
    public static SecretKeyring Generate() => new([RandomNumberGenerator.GetBytes(KeyBytes)]);

    /// <summary>
    /// Reads the text form (see the remarks); <paramref name="source"/> names where it came from in
    /// errors, which never quote the text.
    /// </summary>
    public static SecretKeyring Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var keys = new List<byte[]>();
        var lines = text.Split('\n');
        for (var line = 0; line < lines.Length; line++)
        {
            var content = lines[line].Trim();
            if (content.Length == 0 || content.StartsWith('#')) continue;
            foreach (var part in content.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var buffer = new byte[part.Length];
                if (!Convert.TryFromBase64String(part, buffer, out var length) || length != KeyBytes)
                    throw new SecretKeyException($"{source}, line {line + 1}: a Secret encryption key must be {KeyBytes} bytes in base64 (make one with: openssl rand -base64 {KeyBytes})");
                keys.Add(buffer[..length]);
            }
        }
        if (keys.Count == 0) throw new SecretKeyException($"{source} holds no Secret encryption key (make one with: openssl rand -base64 {KeyBytes})");
        return new SecretKeyring(keys);
    }

    /// <summary>The text form of this keyring, the active key first.</summary>
    public string Format() =>
        "# Orchestrator Secret encryption keys (AES-256, base64), newest first: the first encrypts, all decrypt.\n"
        + "# Every member of a cluster needs the same keys. Losing this file loses the Secrets.\n"
        + string.Join('\n', KeyIds.Select(id => Convert.ToBase64String(_keys[id]))) + "\n";
}

/// <summary>A Secret encryption key is missing, malformed or wrong. The message names key ids and places, never key material or values.</summary>
public sealed class SecretKeyException(string message, Exception? inner = null) : Exception(message, inner);

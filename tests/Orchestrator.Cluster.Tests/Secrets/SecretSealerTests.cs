using System.Runtime.Serialization;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Cluster.Secrets;

namespace Orchestrator.Cluster.Tests.Secrets;

/// <summary>The sealing of a Secret's values in a journal payload and the keyring's text form, without an actor system.</summary>
public sealed class SecretSealerTests
{
    private static JsonObject Payload(string name = "db", string ns = "default") => new()
    {
        ["object"] = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = new JsonObject { ["app"] = "web" } },
            ["type"] = "Opaque",
            ["data"] = new JsonObject { ["password"] = Convert.ToBase64String("hunter2-value"u8.ToArray()) },
        },
        ["change"] = "patched",
    };

    [Fact]
    public void Sealing_moves_the_values_into_an_envelope_under_the_active_key_and_unsealing_restores_them()
    {
        var sealer = new SecretSealer(SecretKeyring.Generate());
        var payload = Payload();
        var original = payload.DeepClone();
        sealer.Seal(payload);
        var text = payload.ToJsonString();
        Assert.DoesNotContain("hunter2", text);
        Assert.DoesNotContain(Convert.ToBase64String("hunter2-value"u8.ToArray()), text);
        Assert.Null(payload["object"]!["data"]);
        Assert.Equal("web", payload["object"]!["metadata"]!["labels"]!["app"]!.GetValue<string>()); // metadata stays readable
        Assert.Equal(sealer.Keyring.ActiveKeyId, SecretSealer.KeyIdOf(payload));
        sealer.Unseal(payload);
        Assert.True(JsonNode.DeepEquals(original, payload), payload.ToJsonString());
    }

    [Fact]
    public void The_same_value_seals_differently_each_time()
    {
        var sealer = new SecretSealer(SecretKeyring.Generate());
        var a = Payload();
        var b = Payload();
        sealer.Seal(a);
        sealer.Seal(b);
        Assert.NotEqual(a["sealed"]!["ciphertext"]!.GetValue<string>(), b["sealed"]!["ciphertext"]!.GetValue<string>());
    }

    [Fact]
    public void After_a_rotation_the_new_key_encrypts_and_the_old_one_still_decrypts()
    {
        var old = SecretKeyring.Generate();
        var rotated = SecretKeyring.Parse(SecretKeyring.Generate().Format() + old.Format(), "test");
        Assert.NotEqual(old.ActiveKeyId, rotated.ActiveKeyId);
        Assert.Equal([rotated.ActiveKeyId, old.ActiveKeyId], rotated.KeyIds);
        var written = Payload();
        new SecretSealer(old).Seal(written);
        new SecretSealer(rotated).Unseal(written);
        Assert.Equal(Convert.ToBase64String("hunter2-value"u8.ToArray()), written["object"]!["data"]!["password"]!.GetValue<string>());
        var rewritten = Payload();
        new SecretSealer(rotated).Seal(rewritten);
        Assert.Equal(rotated.ActiveKeyId, SecretSealer.KeyIdOf(rewritten));
    }

    [Fact]
    public void A_missing_key_is_a_clear_error_naming_the_key_ids_and_no_value()
    {
        var written = Payload();
        var writer = SecretKeyring.Generate();
        new SecretSealer(writer).Seal(written);
        var other = SecretKeyring.Generate();
        var error = Assert.Throws<SecretKeyException>(() => new SecretSealer(other).Unseal(written));
        Assert.Contains(writer.ActiveKeyId, error.Message);
        Assert.Contains(other.ActiveKeyId, error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
    }

    [Fact]
    public void A_ciphertext_moved_to_another_secret_or_altered_does_not_decrypt()
    {
        var sealer = new SecretSealer(SecretKeyring.Generate());
        var written = Payload("db");
        sealer.Seal(written);
        var moved = Payload("other");
        moved["object"]!.AsObject().Remove("data");
        moved["sealed"] = written["sealed"]!.DeepClone();
        Assert.Contains("default/other", Assert.Throws<SecretKeyException>(() => sealer.Unseal(moved)).Message);

        var altered = written.DeepClone().AsObject();
        var bytes = Convert.FromBase64String(altered["sealed"]!["ciphertext"]!.GetValue<string>());
        bytes[0] ^= 1;
        altered["sealed"]!["ciphertext"] = Convert.ToBase64String(bytes);
        Assert.Throws<SecretKeyException>(() => sealer.Unseal(altered));
        Assert.Throws<SerializationException>(() => sealer.Unseal(Payload()));
    }

    [Theory]
    [InlineData("", "holds no Secret encryption key")]
    [InlineData("# only a comment\n", "holds no Secret encryption key")]
    [InlineData("c2hvcnQ=", "must be 32 bytes")]
    [InlineData("not base64 at all!", "must be 32 bytes")]
    public void Malformed_key_text_is_refused_naming_its_source_and_never_quoting_it(string text, string expected)
    {
        var error = Assert.Throws<SecretKeyException>(() => SecretKeyring.Parse(text, "the key file 'x'"));
        Assert.Contains(expected, error.Message);
        Assert.Contains("the key file 'x'", error.Message);
        if (text.Length > 0) Assert.DoesNotContain(text.Trim(), error.Message);
    }

    [Fact]
    public void Key_text_reads_comma_separated_and_line_separated_keys_and_ids_are_stable()
    {
        var a = SecretKeyring.Generate();
        var b = SecretKeyring.Generate();
        var keyA = a.Format().Split('\n').Single(l => l.Length > 0 && !l.StartsWith('#'));
        var keyB = b.Format().Split('\n').Single(l => l.Length > 0 && !l.StartsWith('#'));
        var ring = SecretKeyring.Parse($"{keyA}, {keyB}", "env");
        Assert.Equal([a.ActiveKeyId, b.ActiveKeyId], ring.KeyIds);
        Assert.Equal(a.ActiveKeyId, SecretKeyring.IdOf(Convert.FromBase64String(keyA)));
        Assert.Equal(ring.KeyIds, SecretKeyring.Parse(ring.Format(), "file").KeyIds);
    }
}

using System.Text;
using Orchestrator.TestSupport;

namespace Orchestrator.Host.Tests;

/// <summary>
/// Secrets encrypted at rest in a real node, through kubectl: the node makes its key file on first
/// start (owner-only); a planted value is in none of the data folder's files; it reads back after
/// a restart and after a key rotation; a node started without the key refuses to start, naming it.
/// </summary>
public sealed class SecretsAtRestTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("orchestrator-secrets-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static Dictionary<string, string> Env(string? keys = null)
    {
        var env = new Dictionary<string, string>(NodeFixture.ApiOnly);
        if (keys is not null) env["ORCHESTRATOR_SECRET_KEYS"] = keys;
        return env;
    }

    private static async Task<string> ReadPassword(NodeProcess node) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(
            (await new Kubectl(node.Server).RunAsync("get secret planted -o jsonpath={.data.password}")).EnsureSuccess().Stdout.Trim()));

    private async Task<byte[]> DataFolderBytes()
    {
        var bytes = new List<byte>();
        foreach (var file in Directory.GetFiles(_dataDir, "*", SearchOption.AllDirectories))
            bytes.AddRange(await File.ReadAllBytesAsync(file));
        return [.. bytes];
    }

    [KubectlFact]
    public async Task A_secret_is_encrypted_in_the_journal_reads_back_after_restart_and_rotation_and_a_missing_key_stops_the_node()
    {
        var value = "planted-" + Guid.NewGuid().ToString("N");
        await using (var node = await NodeProcess.StartAsync(_dataDir, Env()))
        {
            (await new Kubectl(node.Server).RunAsync($"create secret generic planted --from-literal=password={value}")).EnsureSuccess();
            Assert.Equal(value, await ReadPassword(node));
            await node.Kill();
        }
        var keyFile = Path.Combine(_dataDir, "secrets.key");
        Assert.True(File.Exists(keyFile), "no key file was made");
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        var stored = await DataFolderBytes();
        Assert.True(stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes(value)) < 0, "the value is in the data folder");
        Assert.True(stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(value)))) < 0, "the value's base64 is in the data folder");

        await using (var restarted = await NodeProcess.StartAsync(_dataDir, Env()))
        {
            Assert.Equal(value, await ReadPassword(restarted));
            await restarted.Kill();
        }

        // Another key alone: the node does not start, and says which key it lacks.
        var otherKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using (var refused = NodeProcess.Launch(_dataDir, Env(otherKey)))
        {
            await Poll.Until(() => refused.HasExited, TimeSpan.FromSeconds(60), "the node without the key to exit", detail: () => refused.Output);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("which this node does not have", refused.Output);
        }

        // Rotation: the new key first, the old one after it.
        var oldKey = File.ReadAllLines(keyFile).Single(l => l.Length > 0 && !l.StartsWith('#'));
        await using var rotated = await NodeProcess.StartAsync(_dataDir, Env($"{otherKey},{oldKey}"));
        Assert.Equal(value, await ReadPassword(rotated));
    }
}

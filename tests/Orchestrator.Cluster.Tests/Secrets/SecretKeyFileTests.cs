using Akka.Configuration;
using Orchestrator.Cluster.Secrets;

namespace Orchestrator.Cluster.Tests.Secrets;

/// <summary>Where a node's Secret keys come from: configuration, an existing key file, or a key file made on first start.</summary>
public sealed class SecretKeyFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-keys-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private SecretEncryptionSettings Settings(string hocon = "") =>
        SecretEncryptionSettings.From(ConfigurationFactory.ParseString(hocon).WithFallback(Hosting.ControlPlane.DefaultConfig), _folder);

    [Fact]
    public void The_first_start_makes_a_key_file_in_the_data_folder_readable_by_its_owner_only_and_later_starts_read_it()
    {
        var settings = Settings();
        Assert.Equal(Path.Combine(_folder, "secrets.key"), settings.KeyFile);
        var first = settings.LoadKeyring();
        Assert.True(File.Exists(settings.KeyFile));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(settings.KeyFile));
        Assert.Equal(first.KeyIds, Settings().LoadKeyring().KeyIds);
    }

    [Fact]
    public void Configured_keys_win_over_the_file_and_make_no_file()
    {
        var given = SecretKeyring.Generate();
        var text = given.Format().Split('\n').Single(l => l.Length > 0 && !l.StartsWith('#'));
        var ring = Settings($"orchestrator.secrets.keys = \"{text}\"").LoadKeyring();
        Assert.Equal(given.KeyIds, ring.KeyIds);
        Assert.False(File.Exists(Path.Combine(_folder, "secrets.key")));
    }

    [Fact]
    public void Without_a_key_where_none_may_be_made_the_start_fails_saying_how_to_give_one()
    {
        var error = Assert.Throws<SecretKeyException>(() => Settings("orchestrator.secrets.create-key-file = off").LoadKeyring());
        Assert.Contains("ORCHESTRATOR_SECRET_KEYS", error.Message);
        Assert.False(File.Exists(Path.Combine(_folder, "secrets.key")));
    }

    [Fact]
    public void A_damaged_key_file_is_an_error_naming_it_and_is_left_as_it_was()
    {
        var file = Path.Combine(_folder, "secrets.key");
        File.WriteAllText(file, "garbage\n");
        var error = Assert.Throws<SecretKeyException>(() => Settings().LoadKeyring());
        Assert.Contains(file, error.Message);
        Assert.Equal("garbage\n", File.ReadAllText(file));
    }
}

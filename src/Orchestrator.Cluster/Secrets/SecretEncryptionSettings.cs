using Akka.Configuration;

namespace Orchestrator.Cluster.Secrets;

/// <summary>
/// Where the Secret encryption keys come from, read once from <c>orchestrator.secrets</c> (every key
/// is documented in reference.conf).
/// </summary>
/// <param name="KeyFile">The key file; read when <paramref name="Keys"/> is empty.</param>
/// <param name="Keys">Keys given in the configuration or <c>ORCHESTRATOR_SECRET_KEYS</c>; they win over the file.</param>
/// <param name="CreateKeyFile">Whether a missing key file is created with a new key on start.</param>
public sealed record SecretEncryptionSettings(string KeyFile, string Keys, bool CreateKeyFile)
{
    /// <param name="config">The node's configuration.</param>
    /// <param name="dataDir">The node's data folder: the key file's folder unless <c>key-file</c> says otherwise.</param>
    public static SecretEncryptionSettings From(Config config, string dataDir)
    {
        ArgumentNullException.ThrowIfNull(config);
        var secrets = config.GetConfig("orchestrator.secrets") ?? Config.Empty;
        var file = secrets.GetString("key-file", "");
        return new SecretEncryptionSettings(
            file.Length > 0 ? file : Path.Combine(dataDir, "secrets.key"),
            secrets.GetString("keys", ""),
            secrets.GetBoolean("create-key-file", true));
    }

    /// <summary>
    /// The keyring these settings give: the configured keys, else the key file, else (when allowed)
    /// a new key written to the key file, readable by its owner only. A file that cannot be read or
    /// parsed is an error naming it, never replaced.
    /// </summary>
    public SecretKeyring LoadKeyring()
    {
        if (Keys.Length > 0) return SecretKeyring.Parse(Keys, "orchestrator.secrets.keys (ORCHESTRATOR_SECRET_KEYS)");
        if (File.Exists(KeyFile)) return SecretKeyring.Parse(File.ReadAllText(KeyFile), $"the Secret key file '{KeyFile}'");
        if (!CreateKeyFile)
        {
            throw new SecretKeyException(
                $"no Secret encryption key: '{KeyFile}' does not exist and this configuration does not create one (orchestrator.secrets.create-key-file = off, as in a cluster, whose members must share a key). "
                + "Give every member the same key: ORCHESTRATOR_SECRET_KEYS=$(openssl rand -base64 32), or the same key file at orchestrator.secrets.key-file");
        }
        var keyring = SecretKeyring.Generate();
        var folder = Path.GetDirectoryName(Path.GetFullPath(KeyFile));
        if (folder is not null) Directory.CreateDirectory(folder);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var writer = new StreamWriter(KeyFile, System.Text.Encoding.ASCII, options);
            writer.Write(keyring.Format());
        }
        catch (IOException) when (File.Exists(KeyFile))
        {
            // Another process created it first: use that one.
            return SecretKeyring.Parse(File.ReadAllText(KeyFile), $"the Secret key file '{KeyFile}'");
        }
        return keyring;
    }
}

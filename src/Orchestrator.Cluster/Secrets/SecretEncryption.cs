using System.Data.Common;
using Akka.Configuration;
using Akka.Persistence.Sql;
using Orchestrator.Cluster.Hosting;

namespace Orchestrator.Cluster.Secrets;

/// <summary>What a node does about Secret encryption before it starts.</summary>
public static class SecretEncryption
{
    /// <summary>
    /// The node's keyring (<see cref="SecretEncryptionSettings.LoadKeyring"/>: the configured keys,
    /// the key file, or a new key file), checked against the journal
    /// (<see cref="SealedJournalCheck"/>). A missing or wrong key throws <see cref="SecretKeyException"/>
    /// and the node does not start. A journal that cannot be reached now is not checked (the
    /// node starts and answers 503 until it can be, as for any outage); <paramref name="warn"/> says so.
    /// </summary>
    public static SecretKeyring Prepare(Config config, SecretEncryptionSettings settings, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(warn);
        var keyring = settings.LoadKeyring();
        try
        {
            SealedJournalCheck.Run(config.WithFallback(ControlPlane.DefaultConfig).WithFallback(SqlPersistence.DefaultConfiguration), keyring);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException)
        {
            warn($"could not check that this node has every key the journal's Secrets were encrypted under ({e.Message}); starting without the check");
        }
        return keyring;
    }
}

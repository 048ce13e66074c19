using Akka.Actor.Setup;

namespace Orchestrator.Cluster.Secrets;

/// <summary>
/// Hands the Secret keyring to the actor system (<c>AkkaConfigurationBuilder.AddSetup</c>), where
/// the journal serializer finds it: the keyring is read before the system starts, once.
/// </summary>
public sealed class SecretEncryptionSetup(SecretKeyring keyring) : Setup
{
    public SecretSealer Sealer { get; } = new(keyring);
}

using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Orchestrator.Host.Configuration;

/// <summary>
/// The API's TLS certificate. When none is configured, a self-signed one is made on first start and
/// kept in <c>{data-dir}/tls/</c> (apiserver.crt, apiserver.key), so clients can pin it:
/// <c>kubectl --certificate-authority data/tls/apiserver.crt</c>.
/// </summary>
public static class ServerCertificate
{
    public static X509Certificate2 LoadOrCreate(string? certFile, string? keyFile, string dataDir, IPAddress bindAddress)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        if (!string.IsNullOrEmpty(certFile))
        {
            if (string.IsNullOrEmpty(keyFile)) throw new ArgumentException("orchestrator.api.tls-cert-file is set but tls-key-file is not");
            return Loadable(X509Certificate2.CreateFromPemFile(certFile, keyFile));
        }
        var folder = Path.Combine(dataDir, "tls");
        var crt = Path.Combine(folder, "apiserver.crt");
        var key = Path.Combine(folder, "apiserver.key");
        if (File.Exists(crt) && File.Exists(key)) return Loadable(X509Certificate2.CreateFromPemFile(crt, key));

        Directory.CreateDirectory(folder);
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=orchestrator-apiserver", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddDnsName(Dns.GetHostName());
        names.AddIpAddress(IPAddress.Loopback);
        if (!bindAddress.Equals(IPAddress.Any) && !bindAddress.Equals(IPAddress.IPv6Any)) names.AddIpAddress(bindAddress);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
        File.WriteAllText(crt, certificate.ExportCertificatePem());
        File.WriteAllText(key, rsa.ExportRSAPrivateKeyPem());
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return Loadable(X509Certificate2.CreateFromPemFile(crt, key));
    }

    // Kestrel on Linux wants a certificate whose key is not ephemeral.
    private static X509Certificate2 Loadable(X509Certificate2 pem)
    {
        using (pem)
        {
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
    }
}

using System.Xml.Linq;
using Azure;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace CoachFlow.Web.Hosting;

/// <summary>
/// Keeps ASP.NET Core's data-protection key ring (what antiforgery tokens are protected with) in Blob storage,
/// so every instance of the app (Functions scales out) accepts the forms another instance rendered.
/// One blob per key; keys are only ever added.
/// </summary>
public sealed class BlobKeyRepository(BlobContainerClient container) : IXmlRepository
{
    private const string Prefix = "dataprotection/";

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        container.CreateIfNotExists();
        var elements = new List<XElement>();
        foreach (var blob in container.GetBlobs(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, Prefix, CancellationToken.None))
        {
            var content = container.GetBlobClient(blob.Name).DownloadContent().Value.Content.ToString();
            elements.Add(XElement.Parse(content));
        }
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        var name = $"{Prefix}{new string([.. friendlyName.Where(c => char.IsAsciiLetterOrDigit(c) || c == '-')])}.xml";
        container.CreateIfNotExists();
        try
        {
            container.GetBlobClient(name).Upload(BinaryData.FromString(element.ToString(SaveOptions.DisableFormatting)), overwrite: false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Another instance stored the same key first.
        }
    }
}

public static class DataProtectionHosting
{
    public static IServiceCollection AddSharedDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("CoachFlow");
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<StorageAccount>((o, storage) => o.XmlRepository = new BlobKeyRepository(storage.Documents));
        return services;
    }
}

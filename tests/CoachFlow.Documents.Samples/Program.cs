using CoachFlow.Documents;
using CoachFlow.Documents.Samples;

// Writes every document of the sample engagement (HTML, and a PDF where one is offered) into the folder given.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: CoachFlow.Documents.Samples <output folder>");
    return 2;
}
Directory.CreateDirectory(args[0]);
var engagement = SampleEngagement.Run();
foreach (var doc in engagement.Documents.Append(engagement.Live("progress-report")).Append(engagement.Live("action-checkins")))
{
    await File.WriteAllTextAsync(Path.Combine(args[0], $"{doc.Name}.html"), doc.Html);
    if (doc.Kind == "contract-signature")
        await File.WriteAllBytesAsync(Path.Combine(args[0], "contract-v1-signed.pdf"), DocumentRenderer.Pdf(engagement.SignedContract()));
    else if (DocumentRenderer.PdfKinds.Contains(doc.Kind) || doc.Kind == "progress-report")
        await File.WriteAllBytesAsync(Path.Combine(args[0], $"{doc.Name}.pdf"), DocumentRenderer.Pdf(doc.Document));
    Console.WriteLine($"{doc.Kind}\t{doc.Name}");
}
return 0;

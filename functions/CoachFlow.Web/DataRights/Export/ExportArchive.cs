using System.IO.Compression;
using System.Text.Json;

namespace CoachFlow.Web.DataRights;

/// <summary>
/// The export's ZIP, written entry by entry to a stream that need not seek (an HTTP response body, a file): each entry
/// is compressed as it is written and nothing of it is kept once it is done, so an export of any size holds one entry's
/// buffers at a time.
/// </summary>
/// <remarks>
/// What does grow with the export is <see cref="ZipArchive"/>'s record of the entries written (about half a kilobyte
/// each), which it needs for the ZIP's central directory at the end. Every write reaching the destination is
/// asynchronous (see <see cref="ExportOutputStream"/>).
/// </remarks>
public sealed class ExportArchive : IAsyncDisposable
{
    private readonly ZipArchive _zip;
    private readonly ExportOutputStream _output;
    private readonly DateTimeOffset _at;

    private ExportArchive(ZipArchive zip, ExportOutputStream output, DateTimeOffset at) => (_zip, _output, _at) = (zip, output, at);

    /// <summary>Files written so far.</summary>
    public int Files { get; private set; }

    /// <summary>Bytes handed to the destination so far (the ZIP as it grows).</summary>
    public long Bytes => _output.Bytes;

    public static async Task<ExportArchive> CreateAsync(Stream destination, DateTimeOffset at, CancellationToken ct)
    {
        var output = new ExportOutputStream(destination);
        var zip = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct);
        return new ExportArchive(zip, output, at);
    }

    /// <summary>One file: <paramref name="write"/> writes its content to the (compressing) entry stream.</summary>
    public async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken ct)
    {
        var entry = _zip.CreateEntry(path, CompressionLevel.Optimal);
        entry.LastWriteTime = _at;
        await using (var stream = await entry.OpenAsync(ct))
            await write(stream, ct);
        // Closing the entry wrote its last compressed bytes synchronously into the output's buffer: send them on now.
        await _output.DrainAsync(ct);
        Files++;
    }

    /// <summary>A JSON file written with <see cref="ExportJson.Writer"/>; <paramref name="write"/> should call <see cref="ExportJson.FlushIfFullAsync"/> inside long arrays.</summary>
    public Task WriteJsonAsync(string path, Func<Utf8JsonWriter, CancellationToken, Task> write, CancellationToken ct) =>
        WriteAsync(path, async (stream, token) =>
        {
            await using var writer = new Utf8JsonWriter(stream, ExportJson.Writer);
            await write(writer, token);
            await writer.FlushAsync(token);
        }, ct);

    /// <summary>A file copied from <paramref name="content"/> as it is read (a document blob).</summary>
    public Task CopyAsync(string path, Stream content, CancellationToken ct) => WriteAsync(path, (stream, token) => content.CopyToAsync(stream, token), ct);

    /// <summary>Writes the ZIP's central directory and sends every byte on.</summary>
    public async ValueTask DisposeAsync()
    {
        await _zip.DisposeAsync();
        await _output.FlushAsync();
        await _output.DisposeAsync();
    }
}

/// <summary>
/// Stands between the ZIP writer and the destination: writes go into a buffer of about 64 KB that is written on
/// asynchronously, so the destination only ever sees asynchronous writes of a reasonable size.
/// </summary>
/// <remarks>
/// ASP.NET Core refuses synchronous writes to a response body, and .NET 10's ZIP entry stream writes its last
/// compressed block (a few kilobytes) and its data descriptor synchronously when it is disposed, even through
/// <c>DisposeAsync</c>. Those writes land in the buffer; <see cref="DrainAsync"/> sends them after each entry. The
/// stream does not seek, so the ZIP always uses data descriptors, whatever the destination.
/// </remarks>
public sealed class ExportOutputStream(Stream destination) : Stream
{
    private const int BufferSize = 64 * 1024;
    private readonly MemoryStream _pending = new(BufferSize);

    /// <summary>Bytes handed to the destination and still waiting in the buffer.</summary>
    public long Bytes { get; private set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Bytes; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Only buffers: the caller's next asynchronous write or <see cref="DrainAsync"/> sends it.</summary>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _pending.Write(buffer);
        Bytes += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        if (_pending.Length >= BufferSize) await SendAsync(cancellationToken);
    }

    /// <summary>Sends what is buffered once there is a buffer's worth (so small entries still go out in large writes).</summary>
    public Task DrainAsync(CancellationToken ct) => _pending.Length >= BufferSize ? SendAsync(ct) : Task.CompletedTask;

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendAsync(cancellationToken);
        await destination.FlushAsync(cancellationToken);
    }

    /// <summary>Nothing to do synchronously: what is buffered goes out with the next asynchronous write or flush.</summary>
    public override void Flush() { }

    private async Task SendAsync(CancellationToken ct)
    {
        if (_pending.Length == 0) return;
        await destination.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), ct);
        _pending.SetLength(0);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _pending.Dispose();
        base.Dispose(disposing);
    }
}

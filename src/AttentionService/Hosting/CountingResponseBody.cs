using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace AttentionService.Hosting;

/// <summary>
/// The response body, counting the bytes written through it (the pipe, or the stream over it), for the per-model
/// answer sizes. Installed for one request and removed by <see cref="Dispose"/>.
/// </summary>
public sealed class CountingResponseBody : IHttpResponseBodyFeature, IDisposable
{
    private readonly HttpContext _http;
    private readonly IHttpResponseBodyFeature _inner;
    private readonly CountingWriter _writer;
    private Stream? _stream;

    private CountingResponseBody(HttpContext http, IHttpResponseBodyFeature inner)
    {
        _http = http;
        _inner = inner;
        _writer = new CountingWriter(inner.Writer);
    }

    /// <summary>Bytes of body written so far.</summary>
    public long Written => _writer.Written;

    public static CountingResponseBody Install(HttpContext http)
    {
        var body = new CountingResponseBody(http, http.Features.GetRequiredFeature<IHttpResponseBodyFeature>());
        http.Features.Set<IHttpResponseBodyFeature>(body);
        return body;
    }

    public Stream Stream => _stream ??= _writer.AsStream(leaveOpen: true);

    public PipeWriter Writer => _writer;

    public void DisableBuffering() => _inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        _inner.SendFileAsync(path, offset, count, cancellationToken);

    public Task CompleteAsync() => _inner.CompleteAsync();

    public void Dispose() => _http.Features.Set(_inner);

    private sealed class CountingWriter(PipeWriter inner) : PipeWriter
    {
        public long Written { get; private set; }

        public override void Advance(int bytes)
        {
            inner.Advance(bytes);
            Written += bytes;
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            Written += source.Length;
            return inner.WriteAsync(source, cancellationToken);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}

using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace AttentionService.Hosting;

/// <summary>
/// Kestrel's socket transport with at most <see cref="ConnectionCapacity.MaxSockets"/> accepted sockets open at once:
/// the accept loop waits for a slot before it accepts, and a connection frees its slot when Kestrel disposes it.
/// </summary>
public sealed class BoundedConnectionListenerFactory(IConnectionListenerFactory transport, ConnectionCapacity capacity)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly SemaphoreSlim _sockets = new(capacity.MaxSockets, capacity.MaxSockets);

    /// <summary>Sockets accepted and not yet closed.</summary>
    public int OpenSockets => capacity.MaxSockets - _sockets.CurrentCount;

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        new Listener(await transport.BindAsync(endpoint, cancellationToken), _sockets);

    public bool CanBind(EndPoint endpoint) => transport is not IConnectionListenerFactorySelector selector || selector.CanBind(endpoint);

    private sealed class Listener(IConnectionListener inner, SemaphoreSlim sockets) : IConnectionListener
    {
        public EndPoint EndPoint => inner.EndPoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            await sockets.WaitAsync(cancellationToken);
            ConnectionContext? connection;
            try
            {
                connection = await inner.AcceptAsync(cancellationToken);
            }
            catch
            {
                sockets.Release();
                throw;
            }
            if (connection is null)
            {
                sockets.Release();
                return null;
            }
            return new Counted(connection, sockets);
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => inner.UnbindAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>The transport's connection, unchanged, that gives its slot back once when Kestrel disposes it.</summary>
    private sealed class Counted(ConnectionContext inner, SemaphoreSlim sockets) : ConnectionContext
    {
        private int _released;

        public override IDuplexPipe Transport
        {
            get => inner.Transport;
            set => inner.Transport = value;
        }

        public override string ConnectionId
        {
            get => inner.ConnectionId;
            set => inner.ConnectionId = value;
        }

        public override IFeatureCollection Features => inner.Features;

        public override IDictionary<object, object?> Items
        {
            get => inner.Items;
            set => inner.Items = value;
        }

        public override CancellationToken ConnectionClosed
        {
            get => inner.ConnectionClosed;
            set => inner.ConnectionClosed = value;
        }

        public override EndPoint? LocalEndPoint
        {
            get => inner.LocalEndPoint;
            set => inner.LocalEndPoint = value;
        }

        public override EndPoint? RemoteEndPoint
        {
            get => inner.RemoteEndPoint;
            set => inner.RemoteEndPoint = value;
        }

        public override void Abort(ConnectionAbortedException abortReason) => inner.Abort(abortReason);

        public override void Abort() => inner.Abort();

        public override async ValueTask DisposeAsync()
        {
            try
            {
                await inner.DisposeAsync();
            }
            finally
            {
                if (Interlocked.Exchange(ref _released, 1) == 0) sockets.Release();
            }
        }
    }
}

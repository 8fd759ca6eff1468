# Runtime base for the GPU image: the CUDA 13 + cuDNN 9 user-space libraries that ONNX Runtime's CUDA execution
# provider loads (Microsoft.ML.OnnxRuntime.Gpu.Linux 1.31.0's libonnxruntime_providers_cuda.so needs libcudart.so.13 and
# libcublasLt.so.13; GpuPublishTests checks that), plus the ASP.NET Core 10 runtime taken from the official aspnet image.
# Without them the service still serves, on ONNX Runtime's CPU provider, and /health/ready says Degraded with the reason.
#   docker build -f deploy/docker/aspnet-cuda.Dockerfile -t attention-service/aspnet-cuda:10.0 deploy/docker
# Then `docker-compose --profile gpu up --build` uses it as RUNTIME_IMAGE (GPU_RUNTIME_IMAGE overrides the tag).
ARG CUDA_IMAGE=nvidia/cuda:13.0.0-cudnn-runtime-ubuntu24.04
ARG ASPNET_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${ASPNET_IMAGE} AS aspnet

FROM ${CUDA_IMAGE}
COPY --from=aspnet /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV DOTNET_ROOT=/usr/share/dotnet

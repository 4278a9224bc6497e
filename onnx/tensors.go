package onnx

import (
	"encoding/binary"
	"math"

	pb "github.com/advancedclimatesystems/gonnx/onnx"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// elemType is the ONNX element type of a gokeras dtype.
func elemType(dt tensor.Dtype) (int32, error) {
	switch dt {
	case tensor.Float32:
		return int32(pb.TensorProto_FLOAT), nil
	case tensor.Float64:
		return int32(pb.TensorProto_DOUBLE), nil
	case tensor.Int, tensor.Int64:
		return int32(pb.TensorProto_INT64), nil
	case tensor.Int32:
		return int32(pb.TensorProto_INT32), nil
	case tensor.Bool:
		return int32(pb.TensorProto_BOOL), nil
	case tensor.String:
		return int32(pb.TensorProto_STRING), nil
	}
	return 0, errors.Errorf("dtype %v has no ONNX element type", dt)
}

// floatTensor makes a tensor of element type dt (Float32 or Float64) from data in
// row-major order, stored as little-endian raw bytes.
func floatTensor(name string, dt tensor.Dtype, shape []int, data []float64) (*pb.TensorProto, error) {
	n := 1
	dims := make([]int64, len(shape))
	for i, d := range shape {
		n *= d
		dims[i] = int64(d)
	}
	if n != len(data) {
		return nil, errors.Errorf("tensor %q: shape %v holds %d values, got %d", name, shape, n, len(data))
	}
	et, err := elemType(dt)
	if err != nil {
		return nil, errors.Wrapf(err, "tensor %q", name)
	}
	var raw []byte
	switch dt {
	case tensor.Float32:
		raw = make([]byte, 4*n)
		for i, v := range data {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(float32(v)))
		}
	case tensor.Float64:
		raw = make([]byte, 8*n)
		for i, v := range data {
			binary.LittleEndian.PutUint64(raw[8*i:], math.Float64bits(v))
		}
	default:
		return nil, errors.Errorf("tensor %q: dtype %v is not a float type", name, dt)
	}
	return &pb.TensorProto{Name: name, Dims: dims, DataType: et, RawData: raw}, nil
}

// int64Tensor makes an INT64 tensor of the given shape (nil: 1-D of len(data)).
func int64Tensor(name string, shape []int, data []int64) *pb.TensorProto {
	dims := []int64{int64(len(data))}
	if shape != nil {
		dims = make([]int64, len(shape))
		for i, d := range shape {
			dims[i] = int64(d)
		}
	}
	return &pb.TensorProto{Name: name, Dims: dims, DataType: int32(pb.TensorProto_INT64), Int64Data: append([]int64(nil), data...)}
}

// Floats returns a tensor's values as float64 in row-major order (Float32 or
// Float64 tensors only). Converters use it to fold or reorder weights.
func Floats(t *tensor.Dense) ([]float64, error) {
	if t == nil {
		return nil, errors.New("nil tensor")
	}
	switch d := t.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out, nil
	case []float64:
		return append([]float64(nil), d...), nil
	case float32:
		return []float64{float64(d)}, nil
	case float64:
		return []float64{d}, nil
	}
	return nil, errors.Errorf("tensor of dtype %v is not float", t.Dtype())
}

// valueInfo describes a graph input or output: element type dt, a first dimension
// named "batch", then shape.
func valueInfo(name string, dt tensor.Dtype, shape []int) (*pb.ValueInfoProto, error) {
	et, err := elemType(dt)
	if err != nil {
		return nil, errors.Wrapf(err, "value %q", name)
	}
	dims := []*pb.TensorShapeProto_Dimension{{Value: &pb.TensorShapeProto_Dimension_DimParam{DimParam: "batch"}}}
	for _, d := range shape {
		if d < 0 {
			dims = append(dims, &pb.TensorShapeProto_Dimension{})
			continue
		}
		dims = append(dims, &pb.TensorShapeProto_Dimension{Value: &pb.TensorShapeProto_Dimension_DimValue{DimValue: int64(d)}})
	}
	return &pb.ValueInfoProto{Name: name, Type: &pb.TypeProto{Value: &pb.TypeProto_TensorType{
		TensorType: &pb.TypeProto_Tensor{ElemType: et, Shape: &pb.TensorShapeProto{Dim: dims}},
	}}}, nil
}

package onnx

import pb "github.com/advancedclimatesystems/gonnx/onnx"

// AttrInt is an integer attribute of a node.
func AttrInt(name string, v int) *pb.AttributeProto {
	return &pb.AttributeProto{Name: name, Type: pb.AttributeProto_INT, I: int64(v)}
}

// AttrInts is an attribute holding a list of integers.
func AttrInts(name string, vs ...int) *pb.AttributeProto {
	is := make([]int64, len(vs))
	for i, v := range vs {
		is[i] = int64(v)
	}
	return &pb.AttributeProto{Name: name, Type: pb.AttributeProto_INTS, Ints: is}
}

// AttrFloat is a float attribute (stored as float32, as ONNX does).
func AttrFloat(name string, v float64) *pb.AttributeProto {
	return &pb.AttributeProto{Name: name, Type: pb.AttributeProto_FLOAT, F: float32(v)}
}

// AttrFloats is an attribute holding a list of floats (stored as float32).
func AttrFloats(name string, vs ...float64) *pb.AttributeProto {
	fs := make([]float32, len(vs))
	for i, v := range vs {
		fs[i] = float32(v)
	}
	return &pb.AttributeProto{Name: name, Type: pb.AttributeProto_FLOATS, Floats: fs}
}

// AttrString is a string attribute.
func AttrString(name, v string) *pb.AttributeProto {
	return &pb.AttributeProto{Name: name, Type: pb.AttributeProto_STRING, S: []byte(v)}
}

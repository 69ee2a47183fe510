package feed

import (
	"bytes"
	"encoding/binary"
	"reflect"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// groupMeta is the member id and generation the consumer currently holds.
type groupMeta struct {
	GroupID    string
	Generation int32
	MemberID   string
	InstanceID string
}

// readGroupMeta extracts the member id and generation from the consumer's
// group metadata. confluent-kafka-go exposes them only inside the opaque
// ConsumerGroupMetadata (librdkafka's serialized rd_kafka_consumer_group_
// metadata_t, "CGMDv2:" format), so this reads its unexported bytes. It
// returns ok=false if the format is not the one expected; the worker then
// reports an empty member id rather than a wrong one. Poll goroutine only.
func readGroupMeta(c *kafka.Consumer) (groupMeta, bool) {
	md, err := c.GetConsumerGroupMetadata()
	if err != nil || md == nil {
		return groupMeta{}, false
	}
	f := reflect.ValueOf(md).Elem().FieldByName("serialized")
	if !f.IsValid() || f.Kind() != reflect.Slice || f.Type().Elem().Kind() != reflect.Uint8 {
		return groupMeta{}, false
	}
	return parseGroupMeta(f.Bytes())
}

// parseGroupMeta parses librdkafka's CGMDv2 serialization: magic, int32
// generation (host byte order), NUL-terminated group id, NUL-terminated
// member id, int8 instance-id-is-null, NUL-terminated instance id.
func parseGroupMeta(b []byte) (groupMeta, bool) {
	const magic = "CGMDv2:"
	if !bytes.HasPrefix(b, []byte(magic)) || len(b) < len(magic)+4 {
		return groupMeta{}, false
	}
	b = b[len(magic):]
	var m groupMeta
	m.Generation = int32(binary.NativeEndian.Uint32(b[:4]))
	b = b[4:]
	cstr := func() (string, bool) {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			return "", false
		}
		s := string(b[:i])
		b = b[i+1:]
		return s, true
	}
	var ok bool
	if m.GroupID, ok = cstr(); !ok {
		return groupMeta{}, false
	}
	if m.MemberID, ok = cstr(); !ok {
		return groupMeta{}, false
	}
	if len(b) >= 1 && b[0] == 0 {
		b = b[1:]
		m.InstanceID, _ = cstr()
	}
	return m, true
}

// refreshGroupMeta re-reads the member id and generation into the snapshot
// and returns them. Poll goroutine only.
func (w *Worker) refreshGroupMeta() (string, int32) {
	m, ok := readGroupMeta(w.consumer)
	if !ok || m.GroupID != w.cfg.GroupID {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.st.memberID, w.st.generation
	}
	w.mu.Lock()
	w.st.memberID, w.st.generation = m.MemberID, m.Generation
	w.mu.Unlock()
	return m.MemberID, m.Generation
}

package datasets_test

import (
	"fmt"
	"os"

	"github.com/gokeras/gokeras/datasets"
)

// A click log of 20,000 rows with the default fields: describe the inputs
// (to size embeddings), split it, compare the Bayes-optimal scores of the
// test rows with the best additive model's, and write a few rows as CSV.
func ExampleClickLog() {
	log, err := datasets.ClickLog(20000, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range log.Fields {
		fmt.Printf("%-8s %-11s vocab %6d len %d\n", f.Name, f.Kind, f.Vocab, f.Len)
	}
	for _, s := range log.Data.Targets() {
		fmt.Printf("target %q shape %v dtype %v\n", s.Name, s.Shape, s.DType)
	}

	train, test, err := log.Split(0.2, 42)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("train %d rows, test %d rows, test CTR %.2f\n", train.Len(), test.Len(), test.CTR)
	fmt.Printf("test: Bayes AUC %.2f, log loss %.2f (constant %.2f); additive AUC %.2f\n",
		test.BayesAUC, test.BayesLogLoss, test.ConstantLogLoss, test.AdditiveAUC)

	head, err := datasets.ClickLog(3, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := head.WriteCSV(os.Stdout, datasets.ClickCSVStringIDs()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// user_id  categorical vocab 100000 len 1
	// item_id  categorical vocab  50000 len 1
	// site_id  categorical vocab   5000 len 1
	// category categorical vocab    300 len 1
	// device   categorical vocab     12 len 1
	// genres   bag         vocab     64 len 6
	// numeric  numeric     vocab      0 len 3
	// target "click" shape [1] dtype float32
	// train 16000 rows, test 4000 rows, test CTR 0.19
	// test: Bayes AUC 0.81, log loss 0.39 (constant 0.49); additive AUC 0.69
	// user_id,item_id,site_id,category,device,genres,numeric_0,numeric_1,numeric_2,click
	// user_id_1,item_id_1,site_id_84,category_9,device_6,8|9|3|12|26|0,-0.12318817,0.16459638,0.6656004,0
	// user_id_0,item_id_7916,site_id_3,category_40,device_3,1|9|6|0|0|0,-1.172861,-1.5144656,0.32880834,0
	// user_id_7087,item_id_0,site_id_1,category_0,device_4,7|37|0|0|0|0,0.67862886,-2.302377,-0.23623101,0
}
